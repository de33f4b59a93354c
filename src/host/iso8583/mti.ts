// The message type indicator (ISO 8583:1987 §4.4): 4 digits, version/class/function/origin.
import { nibblesOf, packNibbles } from './bcd.js';
import { Iso8583Error } from './errors.js';
import type { ByteReader } from './reader.js';

/** The MTI bytes: 2 BCD bytes or 4 ASCII digits; anything but 4 digits → ISO8583_FIELD_INVALID for field 0. */
export function encodeMti(mti: string, encoding: 'bcd' | 'ascii'): Uint8Array {
  if (!/^[0-9]{4}$/.test(mti)) throw new Iso8583Error('ISO8583_FIELD_INVALID', 'MTI must be 4 digits', { field: 0 });
  return encoding === 'bcd' ? packNibbles(mti, 'left', 0) : Uint8Array.from(mti, (c) => c.charCodeAt(0));
}

/** Reads the MTI at the reader's position; a non-digit → ISO8583_FIELD_INVALID for field 0 with its offset. */
export function decodeMti(reader: ByteReader, encoding: 'bcd' | 'ascii'): string {
  const start = reader.pos;
  const bytes = reader.take(encoding === 'bcd' ? 2 : 4, 0, 'MTI');
  const digits = encoding === 'bcd' ? nibblesOf(bytes) : Array.from(bytes, (b) => b - 0x30);
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    const d = digits[i];
    if (!(d >= 0 && d <= 9)) {
      const offset = start + (encoding === 'bcd' ? i >> 1 : i);
      throw new Iso8583Error('ISO8583_FIELD_INVALID', `MTI: byte at offset ${offset} is not ${encoding} digits`, { field: 0, offset });
    }
    out += String(d);
  }
  return out;
}
