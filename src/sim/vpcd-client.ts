import { connect, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { FaultPlan, type FaultOptions } from './faults.js';
import { SimError } from './scripted-card.js';
import type { VirtualCard } from './virtual-card.js';

/** vpcd control payloads (vsmartcard's vpcd protocol: a 1-byte frame is a control, not an APDU). */
const CTRL_OFF = 0;
const CTRL_ON = 1;
const CTRL_RESET = 2;
const CTRL_ATR = 4;

/** Where the vpcd reader slot listens, and how long to keep trying to reach it. */
export interface VpcdOptions {
  readonly host?: string;
  readonly port: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Puts a VirtualCard into a vpcd reader slot of a real pcscd: the card side of vpcd's socket protocol
 * (TCP client; frames are a 2-byte big-endian length and a payload). Connecting inserts the card,
 * closing the socket removes it. Faults (slow answers, drop, mute, garbage) apply per APDU.
 */
export class VpcdCardClient {
  private socket: Socket | null = null;
  private buffer = Buffer.alloc(0);
  private card: VirtualCard | null = null;
  private faults = new FaultPlan();
  private removal: Promise<void> | null = null;
  /** Set by the freeze fault: nothing is answered until the card is removed. */
  private frozen = false;

  /** Builds a client for one vpcd slot; nothing connects until `insert`. */
  constructor(private readonly options: VpcdOptions) {}

  /** True while a card is in the slot. */
  get inserted(): boolean {
    return this.socket !== null;
  }

  /** APDUs the current card has seen. */
  get apduCount(): number {
    return this.faults.apduCount;
  }

  /** Inserts `card`: connects to vpcd, retrying until it listens or the timeout passes (VPCD_UNREACHABLE). */
  async insert(card: VirtualCard, faults: FaultOptions = {}): Promise<void> {
    if (this.socket) await this.remove();
    this.card = card;
    this.frozen = false;
    this.faults = new FaultPlan(faults); // each inserted card counts its own APDUs, as in-process
    const host = this.options.host ?? '127.0.0.1';
    const deadline = Date.now() + (this.options.connectTimeoutMs ?? 5000);
    for (;;) {
      try {
        this.socket = await openSocket(host, this.options.port);
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new SimError('VPCD_UNREACHABLE', `vpcd does not listen on ${host}:${this.options.port}`, { host, port: this.options.port, cause: String(err) });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const s = this.socket;
    s.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    this.removal = new Promise((resolve) => s.once('close', () => resolve()));
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
    });
    s.on('error', (err) => this.options.logger?.debug('vpcd socket error', { err: err.message }));
  }

  /** Changes the fault scenario of the card now in the slot. */
  setFaults(faults: FaultOptions): void {
    this.faults.set(faults);
  }

  /** Removes the card (closes the socket) and resolves once it is closed. */
  async remove(): Promise<void> {
    const s = this.socket;
    if (!s) return;
    this.socket = null;
    s.destroy();
    await this.removal;
  }

  private onData(s: Socket, chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const len = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + len) return;
      const payload = this.buffer.subarray(2, 2 + len);
      this.buffer = this.buffer.subarray(2 + len);
      void this.onFrame(s, new Uint8Array(payload));
    }
  }

  private async onFrame(s: Socket, payload: Uint8Array): Promise<void> {
    const card = this.card;
    if (!card || this.frozen) return;
    if (payload.length === 1) {
      const ctrl = payload[0];
      if ((ctrl === CTRL_OFF || ctrl === CTRL_RESET) && this.faults.freezesOnPowerOff && this.faults.apduCount > 0) {
        this.frozen = true;
        return;
      }
      if (ctrl === CTRL_ON || ctrl === CTRL_RESET || ctrl === CTRL_OFF) card.reset();
      else if (ctrl === CTRL_ATR) send(s, card.atr);
      else this.options.logger?.warn('vpcd sent an unknown control byte', { ctrl });
      return;
    }
    const action = this.faults.next();
    if (action.kind === 'drop') {
      await this.remove();
      return;
    }
    if (action.kind === 'mute') return;
    if (action.kind === 'freeze') {
      this.frozen = true;
      return;
    }
    if (action.delayMs > 0) await new Promise((r) => setTimeout(r, action.delayMs));
    const answer = action.kind === 'garbage' ? action.bytes : await card.process(payload);
    if (this.socket === s) send(s, answer);
  }
}

function send(s: Socket, payload: Uint8Array): void {
  const frame = Buffer.alloc(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, 2);
  s.write(frame);
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}
