// The demo's virtual cards in a thread of their own: a card answers vpcd from this worker's event loop, never from
// the daemon's, so nothing the daemon waits for (a PC/SC call that needs the card's answer) can wait on itself.
import { parentPort, workerData } from 'node:worker_threads';
import { createCard } from './emv/catalog.js';
import { VpcdCardClient } from './vpcd-client.js';

/** What the daemon asks of the card thread. */
export type CardWorkerRequest = { readonly id: number; readonly op: 'insert'; readonly profile: string } | { readonly id: number; readonly op: 'remove' };

/** The card thread's answer: done, or the error's code and message. */
export type CardWorkerAnswer = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

const { port } = workerData as { port: number };
const client = new VpcdCardClient({ port });

parentPort?.on('message', (req: CardWorkerRequest) => {
  const work = req.op === 'insert' ? client.insert(createCard(req.profile)) : client.remove();
  work.then(
    () => {
      parentPort?.postMessage({ id: req.id, ok: true } satisfies CardWorkerAnswer);
    },
    (err: unknown) => {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'SIM_ERROR';
      parentPort?.postMessage({ id: req.id, ok: false, code, message: err instanceof Error ? err.message : String(err) } satisfies CardWorkerAnswer);
    },
  );
});
