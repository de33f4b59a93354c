import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import TransportStream from 'winston-transport';

/** Where winston puts a record's formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** Where and how much the rotating file keeps. */
export interface RotatingFileOptions {
  /** The file written; its rotated copies are `<path>.1` (the newest) … `<path>.<keep-1>`. */
  readonly path: string;
  /** A file reaching this size is rotated before the next line (a single longer line still goes whole). */
  readonly maxSizeBytes: number;
  /** Files kept in all, the one being written included. */
  readonly keep: number;
}

/**
 * A winston transport writing one line per record to a file rotated by size: each line is written at once
 * (synchronously: the order holds, a burst cannot pile up in memory, a crash loses nothing already logged), and
 * when the next line would take the file past its size it becomes `<path>.1`, `.1` becomes `.2`, … and the oldest
 * beyond `keep` is deleted. The file is created with mode 0600.
 */
export class RotatingFileTransport extends TransportStream {
  private fd: number;
  private size: number;

  /** Opens (or creates) the file for appending. */
  constructor(private readonly options: RotatingFileOptions, transportOptions: TransportStream.TransportStreamOptions = {}) {
    super(transportOptions);
    this.fd = openSync(options.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Writes one record's line, rotating first when it would not fit. */
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const line = Buffer.from(`${String(info[MESSAGE])}\n`, 'utf8');
    if (this.size > 0 && this.size + line.length > this.options.maxSizeBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += line.length;
    this.emit('logged', info);
    next();
  }

  /** Closes the file. */
  override close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Shifts the rotated copies up by one (the oldest beyond `keep` goes) and starts an empty file. */
  private rotate(): void {
    const { path, keep } = this.options;
    closeSync(this.fd);
    if (keep <= 1) rmSync(path, { force: true });
    else {
      rmSync(`${path}.${keep - 1}`, { force: true });
      for (let i = keep - 2; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      renameSync(path, `${path}.1`);
    }
    this.fd = openSync(path, 'a', 0o600);
    this.size = 0;
  }
}
