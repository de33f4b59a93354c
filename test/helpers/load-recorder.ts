// `node --import ./load-recorder.js …`: records the URL of every module the process loads, one a line, into the
// file named by POSBRIDGE_LOAD_LOG (module customization hooks, which run on their own thread: see node:module).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let logFile = '';

/** The hooks thread's start: where to record. */
export function initialize(data: { readonly file: string }): void {
  logFile = data.file;
}

/** Records `url`, then loads it as Node would. */
export async function load(url: string, context: object, nextLoad: (url: string, context: object) => Promise<object>): Promise<object> {
  if (logFile) appendFileSync(logFile, `${url}\n`);
  return nextLoad(url, context);
}

if (isMainThread && process.env.POSBRIDGE_LOAD_LOG) register(import.meta.url, { data: { file: process.env.POSBRIDGE_LOAD_LOG } });
