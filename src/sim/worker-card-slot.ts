import { Worker } from 'node:worker_threads';
import { SimError } from './scripted-card.js';
import type { CardWorkerAnswer, CardWorkerRequest } from './vpcd-card-worker.js';

type Call = CardWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * A vpcd reader slot whose virtual cards live in a worker thread (`vpcd-card-worker.ts`): the demo's card answers
 * pcscd from its own event loop, so the daemon's loop never serves the card it is waiting for.
 */
export class WorkerCardSlot {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  /** Starts the card thread for the vpcd slot listening on `port`. */
  constructor(port: number) {
    this.worker = new Worker(new URL('./vpcd-card-worker.js', import.meta.url), { workerData: { port } });
    this.worker.on('message', (a: CardWorkerAnswer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if (a.ok) p.resolve();
      else p.reject(new SimError('VPCD_UNREACHABLE', a.message, { code: a.code }));
    });
    this.worker.on('error', (err) => this.end(err));
    this.worker.on('exit', () => this.end(new SimError('VPCD_UNREACHABLE', 'the virtual card thread has ended')));
    this.worker.unref();
  }

  /** Inserts a fresh card of the named profile (the current one, if any, is removed first). */
  insert(profile: string): Promise<void> {
    return this.call({ op: 'insert', profile });
  }

  /** Removes the card; resolves once vpcd has seen the socket close. */
  remove(): Promise<void> {
    return this.call({ op: 'remove' });
  }

  /** Removes the card and ends the thread. */
  async close(): Promise<void> {
    // Bounded: a thread that does not answer is terminated all the same.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.call({ op: 'remove' }).catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  /** The thread is gone: every waiting call and every later one fails. */
  private end(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private call(c: Call): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...c, id });
    });
  }
}
