import { CommandApdu } from '../apdu/command-apdu.js';
import type { VirtualCard } from './virtual-card.js';

/**
 * Makes a card behave as a T=0 card does at the APDU level (ISO 7816-3 §12.2, ISO 7816-4 §5.3.4): response
 * data of a case 3/4 command is announced with 61xx and fetched with GET RESPONSE; a case 2 command whose Le
 * differs from the data length is answered 6Cxx (the right Le).
 */
export class T0Card implements VirtualCard {
  private pending: Uint8Array | null = null;

  /** Wraps a card that answers as if on T=1. */
  constructor(private readonly inner: VirtualCard) {}

  /** The inner card's ATR. */
  get atr(): Uint8Array {
    return this.inner.atr;
  }

  /** Resets the inner card and drops pending response data. */
  reset(): void {
    this.pending = null;
    this.inner.reset();
  }

  /** Applies the T=0 rules around the inner card's answer. */
  async process(command: Uint8Array): Promise<Uint8Array> {
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(command);
    } catch {
      return Uint8Array.of(0x67, 0x00); // a malformed command: wrong length, as a card would say
    }
    if (cmd.ins === 0xc0 && cmd.cla === 0x00) return this.getResponse(cmd.ne);
    this.pending = null;
    const answer = await this.inner.process(command);
    const data = answer.subarray(0, answer.length - 2);
    const sw = answer.subarray(answer.length - 2);
    if (data.length === 0 || (sw[0] !== 0x90 && sw[0] !== 0x62 && sw[0] !== 0x63)) return answer;
    if (cmd.data.length > 0) {
      this.pending = answer;
      return Uint8Array.of(0x61, data.length >= 256 ? 0 : data.length);
    }
    const le = cmd.ne === 0 ? 256 : cmd.ne;
    if (le !== data.length && !(le === 256 && data.length > 256)) return Uint8Array.of(0x6c, data.length >= 256 ? 0 : data.length);
    if (data.length > 256) {
      // At most 256 bytes fit one T=0 transfer (P3 = 00): send them with 61xx, the rest by GET RESPONSE.
      this.pending = answer;
      return this.getResponse(256);
    }
    return answer;
  }

  private getResponse(ne: number): Uint8Array {
    const p = this.pending;
    if (!p) return Uint8Array.of(0x69, 0x85);
    const data = p.subarray(0, p.length - 2);
    const n = Math.min(ne === 0 ? 256 : ne, data.length);
    const chunk = data.subarray(0, n);
    const rest = data.subarray(n);
    if (rest.length === 0) {
      this.pending = null;
      const out = new Uint8Array(n + 2);
      out.set(chunk);
      out.set(p.subarray(p.length - 2), n);
      return out;
    }
    this.pending = new Uint8Array([...rest, ...p.subarray(p.length - 2)]);
    const out = new Uint8Array(n + 2);
    out.set(chunk);
    out[n] = 0x61;
    out[n + 1] = rest.length >= 256 ? 0 : rest.length;
    return out;
  }
}
