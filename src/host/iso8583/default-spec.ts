// The default spec: ISO 8583:1987 field definitions (ISO 8583:1987 §4.4 data element directory) in the
// common binary terminal profile: 5-byte TPDU header, MTI in 2 BCD bytes, binary bitmap, numeric fields
// in BCD left-padded with 0, LL/LLL prefixes in BCD counting digits for n/z and bytes for an/ans/b,
// track 2 in BCD with a D separator nibble, right-padded with F. Field 55 (ICC data, ISO 8583:1993 / EMV
// Book 4 §6.5) is BER-TLV. Reconciliation totals use fields 74-89 and 97 (ISO 8583:1987), not field 63, in the
// currency of field 50.
// b lengths are in bytes: ISO 8583:1987 writes fields 52 and 64 as "b 64" (bits), i.e. 8 bytes here.
import type { FieldSpec, FieldType, Iso8583Spec, Sensitivity } from './spec.js';

function n(name: string, max: number): FieldSpec {
  return { name, type: 'n', length: { kind: 'fixed', max }, encoding: 'bcd' };
}

function nVar(name: string, max: number): FieldSpec {
  return { name, type: 'n', length: { kind: 'LL', max }, encoding: 'bcd', lengthEncoding: 'bcd', lengthUnit: 'digits' };
}

function text(type: FieldType, name: string, max: number): FieldSpec {
  return { name, type, length: { kind: 'fixed', max }, encoding: 'ascii' };
}

function textVar(type: FieldType, name: string, kind: 'LL' | 'LLL', max: number, sensitive?: Sensitivity): FieldSpec {
  const f: FieldSpec = { name, type, length: { kind, max }, encoding: 'ascii', lengthEncoding: 'bcd', lengthUnit: 'bytes' };
  return sensitive === undefined ? f : { ...f, sensitive };
}

function b(name: string, max: number, sensitive?: Sensitivity): FieldSpec {
  const f: FieldSpec = { name, type: 'b', length: { kind: 'fixed', max }, encoding: 'binary' };
  return sensitive === undefined ? f : { ...f, sensitive };
}

function signed(name: string, max: number): FieldSpec {
  return { name, type: 'x+n', length: { kind: 'fixed', max }, encoding: 'bcd' };
}

/** ISO 8583:1987, binary bitmap, BCD numerics and lengths, 5-byte TPDU header (see the file comment for each choice). */
export const DEFAULT_SPEC: Iso8583Spec = {
  name: 'iso8583-1987-binary-tpdu',
  mtiEncoding: 'bcd',
  bitmapEncoding: 'binary',
  secondaryBitmap: 'auto',
  header: { kind: 'tpdu' },
  fields: {
    2: { ...nVar('Primary account number', 19), sensitive: 'pan' },
    3: n('Processing code', 6),
    4: n('Amount, transaction', 12),
    7: n('Transmission date and time (MMDDhhmmss)', 10),
    11: n('Systems trace audit number', 6),
    12: n('Time, local transaction (hhmmss)', 6),
    13: n('Date, local transaction (MMDD)', 4),
    14: n('Date, expiration (YYMM)', 4),
    15: n('Date, settlement (MMDD)', 4),
    18: n('Merchant type', 4),
    22: n('Point of service entry mode', 3),
    23: n('Card sequence number', 3),
    24: n('Network international identifier', 3),
    25: n('Point of service condition code', 2),
    28: signed('Amount, transaction fee', 8),
    32: nVar('Acquiring institution identification code', 11),
    35: {
      name: 'Track 2 data',
      type: 'z',
      length: { kind: 'LL', max: 37 },
      encoding: 'bcd',
      lengthEncoding: 'bcd',
      lengthUnit: 'digits',
      pad: 'right',
      padDigit: 'F',
      sensitive: 'track',
    },
    37: text('an', 'Retrieval reference number', 12),
    38: text('an', 'Authorization identification response', 6),
    39: text('an', 'Response code', 2),
    41: text('ans', 'Card acceptor terminal identification', 8),
    42: text('ans', 'Card acceptor identification code', 15),
    43: text('ans', 'Card acceptor name/location', 40),
    44: textVar('an', 'Additional response data', 'LL', 25),
    45: textVar('ans', 'Track 1 data', 'LL', 76, 'track'),
    48: textVar('ans', 'Additional data, private', 'LLL', 999),
    49: n('Currency code, transaction', 3),
    50: n('Currency code, settlement', 3),
    52: b('Personal identification number data', 8, 'pin'),
    // ISO 8583:1993 form (b..48, LLVAR): the 10-byte TDES or 12-byte AES DUKPT KSN of the PIN block in field 52.
    53: { name: 'Security related control information', type: 'b', length: { kind: 'LL', max: 48 }, encoding: 'binary', lengthEncoding: 'bcd', lengthUnit: 'bytes' },
    54: textVar('an', 'Additional amounts', 'LLL', 120),
    55: {
      name: 'Integrated circuit card system related data',
      type: 'b',
      length: { kind: 'LLL', max: 255 },
      encoding: 'binary',
      lengthEncoding: 'bcd',
      lengthUnit: 'bytes',
      tlv: true,
      sensitive: 'icc',
    },
    60: textVar('ans', 'Reserved private', 'LLL', 999),
    61: textVar('ans', 'Reserved private', 'LLL', 999),
    62: textVar('ans', 'Reserved private', 'LLL', 999),
    63: textVar('ans', 'Reserved private', 'LLL', 999),
    64: b('Message authentication code', 8),
    66: n('Settlement code', 1),
    70: n('Network management information code', 3),
    74: n('Credits, number', 10),
    75: n('Credits, reversal number', 10),
    76: n('Debits, number', 10),
    77: n('Debits, reversal number', 10),
    78: n('Transfer, number', 10),
    79: n('Transfer, reversal number', 10),
    80: n('Inquiries, number', 10),
    81: n('Authorizations, number', 10),
    82: n('Credits, processing fee amount', 12),
    83: n('Credits, transaction fee amount', 12),
    84: n('Debits, processing fee amount', 12),
    85: n('Debits, transaction fee amount', 12),
    86: n('Credits, amount', 16),
    87: n('Credits, reversal amount', 16),
    88: n('Debits, amount', 16),
    89: n('Debits, reversal amount', 16),
    90: n('Original data elements', 42),
    95: text('an', 'Replacement amounts', 42),
    97: signed('Amount, net settlement', 16),
    128: b('Message authentication code', 8),
  },
};
