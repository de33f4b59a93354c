import { ReaderError } from './errors.js';

/** PC/SC part 10 §2.3 feature tags, as returned by CM_IOCTL_GET_FEATURE_REQUEST. */
export const FEATURE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'VERIFY_PIN_START'],
  [0x02, 'VERIFY_PIN_FINISH'],
  [0x03, 'MODIFY_PIN_START'],
  [0x04, 'MODIFY_PIN_FINISH'],
  [0x05, 'GET_KEY_PRESSED'],
  [0x06, 'VERIFY_PIN_DIRECT'],
  [0x07, 'MODIFY_PIN_DIRECT'],
  [0x08, 'MCT_READER_DIRECT'],
  [0x09, 'MCT_UNIVERSAL'],
  [0x0a, 'IFD_PIN_PROPERTIES'],
  [0x0b, 'ABORT'],
  [0x0c, 'SET_SPE_MESSAGE'],
  [0x0d, 'VERIFY_PIN_DIRECT_APP_ID'],
  [0x0e, 'MODIFY_PIN_DIRECT_APP_ID'],
  [0x0f, 'WRITE_DISPLAY'],
  [0x10, 'GET_KEY'],
  [0x11, 'IFD_DISPLAY_PROPERTIES'],
  [0x12, 'GET_TLV_PROPERTIES'],
  [0x13, 'CCID_ESC_COMMAND'],
  [0x20, 'EXECUTE_PACE'],
]);

/** SCardControl code for a function number: pcsc-lite 0x42000000+n, Windows CTL_CODE(FILE_DEVICE_SMARTCARD, n, 0, 0). */
export function scardCtlCode(fn: number, platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? ((0x31 << 16) | (fn << 2)) >>> 0 : (0x42000000 + fn) >>> 0;
}

/** CM_IOCTL_GET_FEATURE_REQUEST: SCARD_CTL_CODE(3400) (PC/SC part 10 §2.2). */
export function getFeatureRequestCode(platform: NodeJS.Platform = process.platform): number {
  return scardCtlCode(3400, platform);
}

/**
 * Parses the answer to CM_IOCTL_GET_FEATURE_REQUEST: a list of tag (1 byte), length (1 byte, 4),
 * control code (4 bytes, big endian). Unknown tags are kept as FEATURE_xx.
 */
export function parseFeatures(bytes: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) throw new ReaderError('PCSC_ERROR', `feature list truncated at offset ${pos}`, { offset: pos });
    const tag = bytes[pos];
    const len = bytes[pos + 1];
    if (len !== 4 || pos + 2 + len > bytes.length) {
      throw new ReaderError('PCSC_ERROR', `feature ${tag.toString(16)} at offset ${pos} has length ${len}, expected 4`, { offset: pos });
    }
    const code = ((bytes[pos + 2] << 24) | (bytes[pos + 3] << 16) | (bytes[pos + 4] << 8) | bytes[pos + 5]) >>> 0;
    out.set(FEATURE_NAMES.get(tag) ?? `FEATURE_${tag.toString(16).toUpperCase().padStart(2, '0')}`, code);
    pos += 6;
  }
  return out;
}
