// PC/SC Part 10 v2.02.09 (IFDs with Secure PIN Entry Capabilities) §2.2 / §2.3: feature discovery
// with CM_IOCTL_GET_FEATURE_REQUEST and the TLV properties of FEATURE_GET_TLV_PROPERTIES.
// Constants cross-checked against pcsc-lite src/PCSC/reader.h (SCARD_CTL_CODE, FEATURE_*,
// PCSCv2_PART10_PROPERTY_*, PCSC_TLV_STRUCTURE "value ... always in BIG ENDIAN").
import { Part10Error } from './part10-errors.js';

/** Feature tags of the GET_FEATURE_REQUEST answer (Part 10 §2.3; pcsc-lite reader.h FEATURE_*). */
export const FEATURE_TAGS = {
  VERIFY_PIN_START: 0x01,
  VERIFY_PIN_FINISH: 0x02,
  MODIFY_PIN_START: 0x03,
  MODIFY_PIN_FINISH: 0x04,
  GET_KEY_PRESSED: 0x05,
  VERIFY_PIN_DIRECT: 0x06,
  MODIFY_PIN_DIRECT: 0x07,
  MCT_READER_DIRECT: 0x08,
  MCT_UNIVERSAL: 0x09,
  IFD_PIN_PROPERTIES: 0x0a,
  ABORT: 0x0b,
  SET_SPE_MESSAGE: 0x0c,
  VERIFY_PIN_DIRECT_APP_ID: 0x0d,
  MODIFY_PIN_DIRECT_APP_ID: 0x0e,
  WRITE_DISPLAY: 0x0f,
  GET_KEY: 0x10,
  IFD_DISPLAY_PROPERTIES: 0x11,
  GET_TLV_PROPERTIES: 0x12,
  CCID_ESC_COMMAND: 0x13,
  EXECUTE_PACE: 0x20,
} as const;

/** Name of a known Part 10 feature. */
export type FeatureName = keyof typeof FEATURE_TAGS;

const FEATURE_BY_TAG: ReadonlyMap<number, FeatureName> = new Map(
  (Object.entries(FEATURE_TAGS) as [FeatureName, number][]).map(([name, tag]) => [tag, name]),
);

/** SCardControl code for `code` on a platform: pcsc-lite 0x42000000 + code; WinSCard CTL_CODE(FILE_DEVICE_SMARTCARD, code, METHOD_BUFFERED, FILE_ANY_ACCESS). */
export function ctlCode(code: number, platform: NodeJS.Platform = process.platform): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xfff) {
    throw new Part10Error('PART10_OPTIONS_INVALID', 'control function code must be an integer 0..4095', { code });
  }
  // winsmcrd.h: SCARD_CTL_CODE(code) = CTL_CODE(0x31, code, 0, 0) = (0x31 << 16) | (code << 2).
  if (platform === 'win32') return ((0x31 << 16) | (code << 2)) >>> 0;
  // pcsc-lite reader.h (Linux, macOS, BSD): SCARD_CTL_CODE(code) = 0x42000000 + code.
  return 0x42000000 + code;
}

/** Control function number of CM_IOCTL_GET_FEATURE_REQUEST (Part 10 §2.2): SCARD_CTL_CODE(3400). */
export const GET_FEATURE_REQUEST_FUNCTION = 3400;

/** CM_IOCTL_GET_FEATURE_REQUEST for a platform (Linux: 0x42000D48; Windows: 0x00313520). */
export function getFeatureRequestCode(platform: NodeJS.Platform = process.platform): number {
  return ctlCode(GET_FEATURE_REQUEST_FUNCTION, platform);
}

/**
 * Parses the GET_FEATURE_REQUEST answer: repeated tag(1) length(1)=4 value(4, big-endian control code).
 * Unknown tags are validated like the others and then ignored. A repeated tag with a different code
 * is malformed; truncation or a length other than 4 is malformed.
 */
export function parseFeatures(bytes: Uint8Array): Map<FeatureName, number> {
  const out = new Map<FeatureName, number>();
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 2) {
      throw new Part10Error('PART10_FEATURES_MALFORMED', 'feature TLV truncated in its header', { offset: off });
    }
    const tag = bytes[off];
    const len = bytes[off + 1];
    if (len !== 4) {
      throw new Part10Error('PART10_FEATURES_MALFORMED', 'feature TLV length must be 4', { offset: off, tag, length: len });
    }
    if (bytes.length - off - 2 < 4) {
      throw new Part10Error('PART10_FEATURES_MALFORMED', 'feature TLV value truncated', { offset: off, tag });
    }
    const v = off + 2;
    const value = ((bytes[v] << 24) | (bytes[v + 1] << 16) | (bytes[v + 2] << 8) | bytes[v + 3]) >>> 0;
    const name = FEATURE_BY_TAG.get(tag);
    if (name !== undefined) {
      const prev = out.get(name);
      if (prev !== undefined && prev !== value) {
        throw new Part10Error('PART10_FEATURES_MALFORMED', 'feature listed twice with different control codes', { offset: off, tag });
      }
      out.set(name, value);
    }
    off += 6;
  }
  return out;
}

/** Decoded FEATURE_GET_TLV_PROPERTIES answer (Part 10 §2.6.14); absent properties are undefined. */
export interface TlvProperties {
  wLcdLayout?: number;
  bEntryValidationCondition?: number;
  bTimeOut2?: number;
  wLcdMaxCharacters?: number;
  wLcdMaxLines?: number;
  bMinPINSize?: number;
  bMaxPINSize?: number;
  sFirmwareID?: string;
  bPPDUSupport?: number;
  dwMaxAPDUDataSize?: number;
  wIdVendor?: number;
  wIdProduct?: number;
}

type NumericProperty = Exclude<keyof TlvProperties, 'sFirmwareID'>;

// tag → [name, size in bytes]; sizes from the b/w/dw prefix (reader.h PCSCv2_PART10_PROPERTY_*).
const PROPERTY_BY_TAG: ReadonlyMap<number, readonly [NumericProperty, 1 | 2 | 4]> = new Map([
  [0x01, ['wLcdLayout', 2]],
  [0x02, ['bEntryValidationCondition', 1]],
  [0x03, ['bTimeOut2', 1]],
  [0x04, ['wLcdMaxCharacters', 2]],
  [0x05, ['wLcdMaxLines', 2]],
  [0x06, ['bMinPINSize', 1]],
  [0x07, ['bMaxPINSize', 1]],
  [0x09, ['bPPDUSupport', 1]],
  [0x0a, ['dwMaxAPDUDataSize', 4]],
  [0x0b, ['wIdVendor', 2]],
  [0x0c, ['wIdProduct', 2]],
] as const);

const FIRMWARE_ID_TAG = 0x08;

/**
 * Parses FEATURE_GET_TLV_PROPERTIES: tag(1) length(1) value; integers little-endian (as pcsc-lite's
 * PCSCv2Part10_find_TLV_property_by_tag_from_buffer reads them), sFirmwareID as Latin-1 text.
 * Unknown tags are skipped; truncation, a wrong size for a known tag or a repeated tag is malformed.
 */
export function parseTlvProperties(bytes: Uint8Array): TlvProperties {
  const out: TlvProperties = {};
  const seen = new Set<number>();
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 2) {
      throw new Part10Error('PART10_TLV_PROPERTIES_MALFORMED', 'property TLV truncated in its header', { offset: off });
    }
    const tag = bytes[off];
    const len = bytes[off + 1];
    const v = off + 2;
    if (bytes.length - v < len) {
      throw new Part10Error('PART10_TLV_PROPERTIES_MALFORMED', 'property TLV value truncated', { offset: off, tag, length: len });
    }
    if (seen.has(tag)) {
      throw new Part10Error('PART10_TLV_PROPERTIES_MALFORMED', 'property listed twice', { offset: off, tag });
    }
    seen.add(tag);
    const known = PROPERTY_BY_TAG.get(tag);
    if (known !== undefined) {
      const [name, size] = known;
      if (len !== size) {
        throw new Part10Error('PART10_TLV_PROPERTIES_MALFORMED', `property ${name} must be ${size} byte(s)`, { offset: off, tag, length: len });
      }
      let value = 0;
      for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[v + i];
      out[name] = value;
    } else if (tag === FIRMWARE_ID_TAG) {
      out.sFirmwareID = String.fromCharCode(...bytes.subarray(v, v + len));
    }
    off = v + len;
  }
  return out;
}
