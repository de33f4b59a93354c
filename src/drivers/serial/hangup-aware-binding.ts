// serialport's Unix read loop treats a read of zero bytes as "try again" and reads again at once. A tty whose device
// was unplugged, or a pty whose other end closed, is hung up: every read returns zero bytes, so the loop spins a core
// and the port never reports the loss (a PIN pad pulled mid-entry then looks like a pad that does not answer). This
// binding reads the same way but takes zero bytes for what it is on a non-blocking tty, a hang-up, and lets the
// stream close the port as disconnected.
import { read } from 'node:fs';
import { promisify } from 'node:util';
import type { SerialPort } from 'serialport';

type Binding = typeof SerialPort.binding;
type Port = Awaited<ReturnType<Binding['open']>>;
type ReadResult = { buffer: Buffer; bytesRead: number };

/** What the Unix port bindings (Linux, macOS) expose that a read needs. */
interface UnixPort {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable', cb: (err?: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<ReadResult>;
}

const readAsync = promisify(read);

/** `base` with each opened Unix port reporting a hang-up as a disconnect; on Windows `base` itself. */
export function hangupAwareBinding(base: Binding): Binding {
  if (process.platform === 'win32') return base;
  const open = base.open.bind(base) as (o: Parameters<Binding['open']>[0]) => Promise<Port>;
  const wrapped = {
    ...base,
    list: base.list.bind(base),
    open: async (options: Parameters<Binding['open']>[0]): Promise<Port> => {
      const port = await open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readOrHangup(port, buffer, offset, length);
      return port;
    },
  };
  return wrapped as Binding;
}

function isUnixPort(p: Port): p is Port & UnixPort {
  return 'poller' in p && 'fd' in p;
}

/** One read: bytes, or a wait for the port to be readable on EAGAIN, or a disconnect error on a hang-up. */
async function readOrHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<ReadResult> {
  const closed = (): Error => Object.assign(new Error('Port is not open'), { canceled: true });
  for (;;) {
    if (!port.isOpen || port.fd === null) throw closed();
    try {
      const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
      if (bytesRead === 0) throw Object.assign(new Error('the port hung up (device unplugged or peer closed)'), { code: 'EIO', disconnect: true });
      return { buffer, bytesRead };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      // The port may have closed while the read ran: polling a closed port's poller crashes the process.
      if (!port.isOpen) throw closed();
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (e) => (e ? reject(e) : resolve())));
    }
  }
}
