// Checks made before the daemon starts any part, so that what stands in the way (a port in use, a data directory it
// cannot write) is one clear line and exit 2 at once, with nothing started to tear down.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { DaemonError } from '../config/daemon-errors.js';

/** The data directory exists (made if missing) and this user may read and write it; DATA_DIR_UNUSABLE otherwise. */
export function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new DaemonError('DATA_DIR_UNUSABLE', `the data directory ${dir} cannot be used (${why}): set "dataDir" to a directory this user may read and write`, { dir }, err);
  }
}

/** The API port is free on 127.0.0.1 (port 0 always is); PORT_IN_USE otherwise. */
export function checkPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      const inUse = err.code === 'EADDRINUSE' || err.code === 'EACCES';
      reject(new DaemonError('PORT_IN_USE', inUse ? `127.0.0.1:${port} is ${err.code === 'EACCES' ? 'not allowed for this user' : 'in use (another posbridge?)'}: stop that program or set "port" to a free one` : `cannot listen on 127.0.0.1:${port}: ${err.message}`, { port }, err));
    });
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

/** Parts started so far, closed in reverse when the start-up fails half-way. */
export class StartedParts {
  private readonly parts: { readonly what: string; readonly close: () => Promise<void> | void }[] = [];

  /** Records a started part and how to close it. */
  add(what: string, close: () => Promise<void> | void): void {
    this.parts.push({ what, close });
  }

  /** Closes every recorded part, last first; each failure is reported to `onError`, none stops the others. */
  async closeAll(onError: (what: string, err: unknown) => void): Promise<void> {
    for (const p of this.parts.splice(0).reverse()) {
      try {
        await p.close();
      } catch (err) {
        onError(p.what, err);
      }
    }
  }
}
