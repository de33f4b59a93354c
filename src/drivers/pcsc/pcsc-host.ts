import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log/logger.js';
import { ReaderError } from './errors.js';
import { errorFromWire, eventFromWire, type HostMessage, type HostRequest } from './host-protocol.js';
import type { ReaderEvent } from './types.js';

/** A request without its id (the host adds it). */
type Call = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Tuning of one host process. */
export interface PcscHostOptions {
  readonly logger?: Logger;
  /** What this host serves, for logs ("monitor", "reader X"). */
  readonly label: string;
  /** No sign of life for this long means the host is wedged in a native call and is killed, ms (default 5000). */
  readonly wedgedAfterMs?: number;
  /** Reader events, when this host watches. */
  readonly onEvent?: (e: ReaderEvent) => void;
  /** Tuning of the PcscReaderDriver inside the host. */
  readonly driver?: { readonly pollMs?: number; readonly retryMs?: number };
  /** Called once when the process is gone (exited, killed, wedged); `wedged` tells why. */
  readonly onGone?: (wedged: boolean) => void;
}

/** The script the host process runs (compiled next to this file). */
const HOST_SCRIPT = fileURLToPath(new URL('./pcsc-host-process.js', import.meta.url));

/**
 * One PC/SC host process and the calls to it: each call is a message with an id, answered or rejected by the
 * host. The host beats every 250 ms; a host silent for `wedgedAfterMs` is stuck inside a native call, so it is
 * killed and every pending call rejects (a stuck transmit with TRANSMIT_TIMEOUT, anything else READER_UNAVAILABLE).
 */
export class PcscHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; op: string }>();
  private nextId = 1;
  private lastBeat = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private goneReason: string | null = null;
  /** The error the host failed to start with, if any (PCSC_BINDING_MISSING): every call rejects with it. */
  private startError: ReaderError | null = null;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;

  /** Forks the host process. */
  constructor(private readonly options: PcscHostOptions) {
    // The host needs no inherited flags (test runner, inspector); small heap limits keep it at a few tens of MB.
    this.child = fork(HOST_SCRIPT, [JSON.stringify(options.driver ?? {})], {
      execArgv: ['--max-semi-space-size=1', '--max-old-space-size=64'],
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve()); // the fork itself failed (EMFILE, EAGAIN): no exit will come
    });
    this.child.on('message', (m: unknown) => this.onMessage(m as HostMessage));
    this.child.once('exit', (code, signal) => this.gone(`the PC/SC host process ended (${signal ?? `exit ${code}`})`, false));
    this.child.on('error', (err) => {
      this.options.logger?.error('PC/SC host process error', { host: this.options.label, err });
      if (this.child.pid === undefined) this.gone(`the PC/SC host process could not start: ${err.message}`, false);
    });
    const wedgedAfter = options.wedgedAfterMs ?? 5000;
    const every = Math.min(1000, wedgedAfter / 2);
    let lastTick = Date.now();
    this.watchdog = setInterval(() => {
      const now = Date.now();
      // This tick is late (the machine slept, our own loop stalled): the host's beats may be waiting unread, so its
      // silence proves nothing; count again from now.
      if (now - lastTick > every + wedgedAfter / 2) this.lastBeat = now;
      lastTick = now;
      if (now - this.lastBeat > wedgedAfter) this.kill(`the PC/SC host for ${options.label} stopped answering (stuck in a PC/SC call) and was restarted`, true);
    }, every);
    this.watchdog.unref();
    this.child.unref();
    this.child.channel?.unref();
  }

  /** Why the host could not start (PCSC_BINDING_MISSING), or null. */
  get failedToStart(): ReaderError | null {
    return this.startError;
  }

  /** True until the process is gone. */
  get alive(): boolean {
    return this.goneReason === null;
  }

  /** Sends one call; resolves with the host's answer, rejects with its typed error (CANCELLED when `signal` aborts). */
  call<T>(c: Call, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new ReaderError('CANCELLED', 'the exchange was cancelled', {}, signal.reason));
    if (this.startError) return Promise.reject(this.startError);
    if (this.goneReason !== null) return Promise.reject(new ReaderError('READER_UNAVAILABLE', this.goneReason, { host: this.options.label }));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const p = this.pending.get(id);
        if (!p) return;
        // The host stops waiting for the card too; its late answer finds no one and is dropped.
        this.pending.delete(id);
        if (this.pending.size === 0) this.child.channel?.unref();
        this.post({ op: 'abort', target: id });
        p.reject(new ReaderError('CANCELLED', 'the exchange was cancelled', {}, signal?.reason));
      };
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v: unknown) => {
          settle();
          (resolve as (v: unknown) => void)(v);
        },
        reject: (e: Error) => {
          settle();
          reject(e);
        },
        op: c.op,
      });
      // A ref'd channel while calls wait keeps the process alive for their answers; idle hosts don't hold it open.
      if (this.pending.size === 1) this.child.channel?.ref();
      this.child.send({ ...c, id } as HostRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends a call nobody waits for (abort); dropped when the host is gone. */
  post(c: Call): void {
    if (this.goneReason === null) this.child.send({ ...c, id: this.nextId++ } as HostRequest);
  }

  /** Asks the host to close its driver and exit; kills it if it has not within `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    if (this.goneReason === null) {
      const closing = this.call({ op: 'close' }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
      await Promise.race([closing.then(() => Promise.race([this.exited, grace])), grace]);
      clearTimeout(timer);
    }
    this.kill('closed', false);
    await this.exited;
  }

  /** Kills the process at once (SIGKILL): a process stuck in native code answers nothing else. */
  private kill(reason: string, wedged: boolean): void {
    if (wedged) this.options.logger?.error('PC/SC host wedged; killed', { host: this.options.label });
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.gone(reason, wedged);
  }

  private gone(reason: string, wedged: boolean): void {
    if (this.goneReason !== null) return;
    this.goneReason = reason;
    clearInterval(this.watchdog);
    for (const [, p] of this.pending) {
      p.reject(this.startError ?? new ReaderError(p.op === 'transmit' && wedged ? 'TRANSMIT_TIMEOUT' : 'READER_UNAVAILABLE', reason, { host: this.options.label }));
    }
    this.pending.clear();
    this.options.onGone?.(wedged);
  }

  private onMessage(m: HostMessage): void {
    this.lastBeat = Date.now();
    if ('beat' in m) return;
    if ('event' in m) {
      this.options.onEvent?.(eventFromWire(m.event));
      return;
    }
    if ('log' in m) {
      this.options.logger?.log(m.log.level, m.log.message, { ...m.log.meta, host: this.options.label });
      return;
    }
    if (m.id === 0 && 'error' in m) {
      // The host could not start its driver (binding missing): every call fails with that error.
      this.startError = errorFromWire(m.error);
      this.gone(this.startError.message, false);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.child.channel?.unref();
    if ('error' in m) p.reject(errorFromWire(m.error));
    else p.resolve(m.ok);
  }
}
