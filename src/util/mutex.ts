/** A FIFO async lock: `run` calls wait their turn, so their steps never interleave. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier call has settled; resolves or rejects with its result. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** One Mutex per key (e.g. per reader name), created on first use. */
export class KeyedMutex {
  private readonly locks = new Map<string, Mutex>();

  /** Runs `fn` under the lock of `key`. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let m = this.locks.get(key);
    if (!m) {
      m = new Mutex();
      this.locks.set(key, m);
    }
    return m.run(fn);
  }
}
