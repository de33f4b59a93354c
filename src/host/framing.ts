import { HostError } from './errors.js';

/** The largest message a 2-byte length prefix can carry. */
export const MAX_FRAME = 0xffff;

/** A payload with its 2-byte big-endian length prefix (the common acquirer TCP framing). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME) throw new HostError('HOST_FRAME_TOO_LARGE', `message of ${payload.length} bytes does not fit a 2-byte length`);
  const out = new Uint8Array(2 + payload.length);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/**
 * Splits a byte stream into length-prefixed frames, whatever the TCP segmentation. Pure: bytes in, frames out.
 * A frame over `maxFrame` is refused (HOST_FRAME_TOO_LARGE) so a hostile peer cannot make us buffer without bound.
 */
export class FrameDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  /** Builds a decoder with a frame size bound. */
  constructor(private readonly maxFrame = 8192) {}

  /** Adds received bytes; returns the frames completed by them. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (joined.length - pos >= 2) {
      const len = (joined[pos] << 8) | joined[pos + 1];
      if (len > this.maxFrame) throw new HostError('HOST_FRAME_TOO_LARGE', `peer announced a ${len}-byte message, limit ${this.maxFrame}`, { length: len });
      if (joined.length - pos - 2 < len) break;
      frames.push(joined.slice(pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    this.buffer = joined.slice(pos);
    return frames;
  }

  /** Bytes received but not yet a whole frame. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** Swaps a 5-byte TPDU's destination and origin addresses (ISO 8583 TPDU header, as hosts answer). */
export function swapTpdu(message: Uint8Array): Uint8Array {
  if (message.length < 5) return message;
  const out = message.slice();
  out.set(message.subarray(3, 5), 1);
  out.set(message.subarray(1, 3), 3);
  return out;
}
