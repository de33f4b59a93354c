// The PC/SC host process: the only place the native `smartcard` binding is loaded when the daemon runs. The daemon
// forks one for reader events and listing and one per reader with open connections (`isolated-pcsc-driver.ts`), so
// a synchronous PC/SC call that never returns (SCardDisconnect, SCardListReaders on a wedged reader or service)
// blocks this small process, never the daemon's event loop, and the daemon can kill it (a worker thread stuck in
// native code cannot be stopped, and it keeps the whole process from exiting: measured, docs/decisions.md).
import { fromHex, toHex } from '../../apdu/hex.js';
import { ReaderError } from './errors.js';
import { errorToWire, eventToWire, readerToWire, type HostMessage, type HostRequest } from './host-protocol.js';
import { PcscReaderDriver } from './pcsc-driver.js';
import type { CardConnection } from './types.js';
import type { Logger } from '../../log/logger.js';

/** How often the host tells the daemon it is alive (its event loop turns), ms. */
export const BEAT_MS = 250;

function send(m: HostMessage): void {
  if (process.connected) process.send?.(m);
}

/** Log records go to the daemon's (redacting) logger; nothing is printed here. */
function log(level: 'debug' | 'info' | 'warn' | 'error', message: string, meta: unknown): void {
  const m = meta !== null && typeof meta === 'object' ? { ...(meta as Record<string, unknown>) } : {};
  if (m.err instanceof Error) m.err = errorToWire(m.err);
  send({ log: { level, message, meta: m } });
}
const logger = {
  debug: (message: string, meta?: unknown) => log('debug', message, meta),
  info: (message: string, meta?: unknown) => log('info', message, meta),
  warn: (message: string, meta?: unknown) => log('warn', message, meta),
  error: (message: string, meta?: unknown) => log('error', message, meta),
};

async function main(): Promise<void> {
  // The driver takes a winston logger; these four methods are all it calls.
  const tuning = JSON.parse(process.argv[2] ?? '{}') as { pollMs?: number; retryMs?: number };
  const driver = await PcscReaderDriver.create({ ...tuning, logger: logger as unknown as Logger });
  const connections = new Map<number, CardConnection>();
  const aborts = new Map<number, AbortController>();
  let nextConn = 1;
  let unwatch: (() => void) | null = null;

  const conn = (id: number): CardConnection => {
    const c = connections.get(id);
    if (!c) throw new ReaderError('NOT_CONNECTED', 'the connection is closed');
    return c;
  };

  const handle = async (req: HostRequest): Promise<unknown> => {
    switch (req.op) {
      case 'list':
        return (await driver.listReaders()).map(readerToWire);
      case 'watch':
        unwatch ??= driver.subscribe((e) => send({ event: eventToWire(e) }));
        return null;
      case 'unwatch':
        unwatch?.();
        unwatch = null;
        return null;
      case 'connect': {
        const c = await driver.connect(req.reader, req.options);
        const id = nextConn++;
        connections.set(id, c);
        return { conn: id, protocol: c.protocol, atr: toHex(c.atr) };
      }
      case 'transmit': {
        const ac = new AbortController();
        aborts.set(req.id, ac);
        try {
          const opts = req.timeoutMs === undefined ? { signal: ac.signal } : { timeoutMs: req.timeoutMs, signal: ac.signal };
          return toHex(await conn(req.conn).transmit(fromHex(req.apdu), opts));
        } finally {
          aborts.delete(req.id);
        }
      }
      case 'control':
        return toHex(await conn(req.conn).control(req.code, fromHex(req.data)));
      case 'features':
        return [...(await conn(req.conn).features())];
      case 'disconnect': {
        const c = connections.get(req.conn);
        connections.delete(req.conn);
        await c?.disconnect(req.disposition);
        return null;
      }
      case 'abort':
        aborts.get(req.target)?.abort(new ReaderError('CANCELLED', 'the exchange was cancelled'));
        return null;
      case 'close':
        unwatch?.();
        await driver.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };

  process.on('message', (raw: unknown) => {
    const req = raw as HostRequest;
    handle(req).then(
      (ok) => send({ id: req.id, ok }),
      (err: unknown) => send({ id: req.id, error: errorToWire(err) }),
    );
  });
  // The daemon is gone (exited, killed): nothing may keep a reader or the service busy on its behalf.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => send({ beat: Date.now() }), BEAT_MS);
  send({ beat: Date.now() });
}

main().catch((err: unknown) => {
  // The binding is missing or broken: say so once (the daemon turns it into PCSC_BINDING_MISSING) and leave.
  // Leave only once the message is out: the daemon must learn why before it sees the exit.
  if (process.connected && process.send) process.send({ id: 0, error: errorToWire(err) } satisfies HostMessage, () => process.exit(1));
  else process.exit(1);
});
