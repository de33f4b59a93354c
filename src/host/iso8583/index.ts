// The ISO 8583 codec: a pure, spec-driven packer/unpacker (see default-spec.ts for the default profile).
export { ISO8583_ERROR_CODES, Iso8583Error, type Iso8583ErrorCode, type Iso8583ErrorDetails, type Iso8583Location } from './errors.js';
export {
  type ContentEncoding,
  type FieldSpec,
  type FieldType,
  type HeaderSpec,
  type Iso8583Spec,
  type LengthEncoding,
  type LengthSpec,
  type LengthUnit,
  type PadDigit,
  type PadSide,
  type SecondaryBitmap,
  type Sensitivity,
  fieldSpecOf,
} from './spec.js';
export { DEFAULT_SPEC } from './default-spec.js';
export { parseSpec } from './parse-spec.js';
export { Iso8583Message } from './message.js';
export type { FieldValue } from './field-codec.js';
export { DEFAULT_ISO8583_LIMITS, pack, unpack, type Iso8583Limits } from './pack.js';
export { TPDU_ID, encodeTpdu, parseTpdu, responseTpdu, type Tpdu } from './header.js';
export { describeMessage, maskPan, type FieldDescription, type MessageDescription } from './describe.js';
