/** A FIFO async lock: `run` calls wait their turn, so their steps never interleave. */
export class Mutex {
  private locked = false;
  private readonly waiting: Array<() => void> = [];

  /** Runs `fn` once every earlier call has settled; resolves or rejects with its result. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Fast path without extra promise hops when free: this sits on every APDU's path.
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.locked = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.locked = false;
    }
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
