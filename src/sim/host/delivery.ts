// How an answer reaches the terminal in each failure mode (rules.ts): on time, never, half a frame then a closed
// connection, late, twice, or as a frame of bytes that do not parse. Frames are 2-byte length prefixed.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { encodeFrame } from '../../host/framing.js';
import { unpack, type Iso8583Spec } from '../../host/iso8583/index.js';
import type { Delivery } from './record.js';
import type { HostMode } from './rules.js';

/** What a mode does to an answer, as recorded. */
export function deliveryOf(mode: HostMode, hasAnswer: boolean): Delivery {
  if (!hasAnswer || mode === 'timeout' || mode === 'down') return 'none';
  if (mode === 'normal') return 'sent';
  if (mode === 'drop-mid-response') return 'dropped-mid-response';
  return mode;
}

/** Writes the framed answer as `mode` says; late answers are timers kept in `timers` so `stop` can cancel them. */
export function deliver(socket: Socket, frame: Uint8Array, mode: HostMode, o: { readonly delayMs: number; readonly timers: Set<NodeJS.Timeout>; readonly spec: Iso8583Spec }): void {
  if (socket.destroyed) return;
  switch (mode) {
    case 'drop-mid-response':
      socket.write(frame.subarray(0, Math.ceil(frame.length / 2)), () => socket.destroy());
      return;
    case 'late': {
      const t = setTimeout(() => {
        o.timers.delete(t);
        if (!socket.destroyed) socket.write(frame);
      }, o.delayMs);
      o.timers.add(t);
      return;
    }
    case 'twice':
      socket.write(frame);
      socket.write(frame);
      return;
    case 'garbage':
      socket.write(encodeFrame(garbage(o.spec)));
      return;
    case 'timeout':
    case 'down':
      return;
    default:
      socket.write(frame);
  }
}

/** Random bytes that do not parse under `spec` (re-drawn in the unlikely case they do). */
export function garbage(spec: Iso8583Spec, length = 24): Uint8Array {
  for (;;) {
    const b = new Uint8Array(randomBytes(length));
    try {
      unpack(spec, b);
    } catch {
      return b;
    }
  }
}
