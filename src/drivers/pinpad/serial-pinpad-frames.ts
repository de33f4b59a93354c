// Framing of the serial PIN pad protocol (docs/hardware.md, "Serial PIN pad protocol"), our own design in the
// style of the STX/ETX/LRC block framing of ISO 1155 and the ANSI X3.28 link controls:
//   STX 02 | LEN (2 bytes, big-endian: SEQ + TYPE + PAYLOAD) | SEQ | TYPE | PAYLOAD | ETX 03 | LRC
//   LRC = XOR of every byte from the first LEN byte to ETX inclusive (ISO 1155 longitudinal redundancy check).
// Link control between frames: ACK = 06 SEQ (frame SEQ received intact), NAK = 15 (last frame bad: resend).
// Pure: bytes in, frames and typed errors out; the link (serial-pinpad-link.ts) does the timing.
import { PinPadError } from './serial-pinpad-errors.js';

export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
/** Largest payload a frame may carry: an RSA-2048 ICC PIN key (248 bytes is the EMV maximum) fits with room. */
export const MAX_PAYLOAD = 512;
/** STX + LEN(2) + SEQ + TYPE + ETX + LRC. */
export const FRAME_OVERHEAD = 7;

/** One frame of the protocol: a sequence number (0-255, per sender), a message type and its payload. */
export interface PinPadFrame {
  readonly seq: number;
  readonly type: number;
  readonly payload: Uint8Array;
}

/** What the stream decoder found: a frame, a link control, or a bad frame (the receiver answers NAK). */
export type DecodedItem =
  | { readonly kind: 'frame'; readonly frame: PinPadFrame }
  | { readonly kind: 'ack'; readonly seq: number }
  | { readonly kind: 'nak' }
  | { readonly kind: 'bad'; readonly error: PinPadError };

/** XOR of all bytes (ISO 1155 LRC). */
export function lrc(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

/** The bytes of a frame; PINPAD_FRAME_OVERSIZE over MAX_PAYLOAD, PINPAD_FRAME_INVALID for a seq/type outside 0-255. */
export function encodeFrame(f: PinPadFrame): Uint8Array {
  if (f.payload.length > MAX_PAYLOAD) {
    throw new PinPadError('PINPAD_FRAME_OVERSIZE', `a payload of ${f.payload.length} bytes exceeds ${MAX_PAYLOAD}`, { length: f.payload.length });
  }
  if (!isByte(f.seq) || !isByte(f.type)) throw new PinPadError('PINPAD_FRAME_INVALID', 'seq and type must be bytes', { seq: f.seq, type: f.type });
  const len = f.payload.length + 2;
  const out = new Uint8Array(f.payload.length + FRAME_OVERHEAD);
  out.set([STX, len >> 8, len & 0xff, f.seq, f.type], 0);
  out.set(f.payload, 5);
  out[out.length - 2] = ETX;
  out[out.length - 1] = lrc(out.subarray(1, out.length - 1));
  return out;
}

/** An ACK for frame `seq`. */
export function encodeAck(seq: number): Uint8Array {
  return Uint8Array.of(ACK, seq & 0xff);
}

/** A NAK (the last frame arrived damaged). */
export function encodeNak(): Uint8Array {
  return Uint8Array.of(NAK);
}

/** Decodes exactly one whole frame; throws PINPAD_FRAME_TRUNCATED / _OVERSIZE / _INVALID / _LRC. */
export function decodeFrame(bytes: Uint8Array): PinPadFrame {
  if (bytes.length < 3) throw truncated(bytes.length, 3);
  if (bytes[0] !== STX) throw new PinPadError('PINPAD_FRAME_INVALID', 'a frame starts with STX (02)', { first: bytes[0] });
  const len = (bytes[1] << 8) | bytes[2];
  checkLength(len);
  const total = len + 5;
  if (bytes.length < total) throw truncated(bytes.length, total);
  if (bytes.length > total) throw new PinPadError('PINPAD_FRAME_INVALID', 'bytes after the LRC', { length: bytes.length, expected: total });
  return checkBody(bytes);
}

function checkLength(len: number): void {
  if (len < 2) throw new PinPadError('PINPAD_FRAME_INVALID', 'LEN must count at least SEQ and TYPE', { len });
  if (len - 2 > MAX_PAYLOAD) throw new PinPadError('PINPAD_FRAME_OVERSIZE', `LEN ${len} exceeds the ${MAX_PAYLOAD}-byte payload limit`, { len });
}

/** Checks ETX and LRC of a complete frame (length already checked) and returns it. */
function checkBody(bytes: Uint8Array): PinPadFrame {
  const n = bytes.length;
  if (bytes[n - 2] !== ETX) throw new PinPadError('PINPAD_FRAME_INVALID', 'no ETX (03) where LEN says the frame ends', { found: bytes[n - 2] });
  const want = lrc(bytes.subarray(1, n - 1));
  if (bytes[n - 1] !== want) throw new PinPadError('PINPAD_FRAME_LRC', 'the LRC does not match', { got: bytes[n - 1], want });
  return { seq: bytes[3], type: bytes[4], payload: bytes.slice(5, n - 2) };
}

function truncated(got: number, need: number): PinPadError {
  return new PinPadError('PINPAD_FRAME_TRUNCATED', `the frame ends after ${got} of ${need} bytes`, { got, need });
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/**
 * A stream decoder: feed it whatever the port delivers, get frames, ACKs, NAKs and bad frames back. Bytes between
 * frames that are not STX, ACK or NAK are line noise and skipped (counted in `skipped`). A bad length is reported as
 * soon as it is read, so a hostile LEN never makes the decoder wait for (or buffer) up to 64 KiB.
 */
export class FrameDecoder {
  private buf: number[] = [];
  private ackPending = false;
  /** Noise bytes skipped between frames. */
  skipped = 0;

  /** Feeds bytes; returns everything completed by them, in order. */
  push(bytes: Uint8Array): DecodedItem[] {
    const out: DecodedItem[] = [];
    for (const b of bytes) {
      const item = this.step(b);
      if (item) out.push(item);
    }
    return out;
  }

  /** True while a frame (or an ACK's SEQ byte) is half received. */
  get partial(): boolean {
    return this.buf.length > 0 || this.ackPending;
  }

  /** Ends a half-received frame after an inter-byte timeout: PINPAD_FRAME_TRUNCATED, or null when idle. */
  flush(): DecodedItem | null {
    const had = this.buf.length;
    const need = had >= 3 ? ((this.buf[1] << 8) | this.buf[2]) + 5 : 3;
    const wasAck = this.ackPending;
    this.buf = [];
    this.ackPending = false;
    if (had === 0) return wasAck ? { kind: 'bad', error: truncated(1, 2) } : null;
    return { kind: 'bad', error: truncated(had, need) };
  }

  private step(b: number): DecodedItem | null {
    if (this.ackPending) {
      this.ackPending = false;
      return { kind: 'ack', seq: b };
    }
    if (this.buf.length === 0) {
      if (b === STX) this.buf.push(b);
      else if (b === ACK) this.ackPending = true;
      else if (b === NAK) return { kind: 'nak' };
      else this.skipped++;
      return null;
    }
    this.buf.push(b);
    if (this.buf.length < 3) return null;
    const len = (this.buf[1] << 8) | this.buf[2];
    if (this.buf.length === 3) {
      try {
        checkLength(len);
      } catch (err) {
        this.buf = [];
        return { kind: 'bad', error: err as PinPadError };
      }
      return null;
    }
    if (this.buf.length < len + 5) return null;
    const frame = Uint8Array.from(this.buf);
    this.buf = [];
    try {
      return { kind: 'frame', frame: checkBody(frame) };
    } catch (err) {
      return { kind: 'bad', error: err as PinPadError };
    }
  }
}
