// Whether a reader's keypad can take the PIN (PC/SC Part 10 v2.02.09 §2.2 feature list), with a deny-list for
// readers that announce FEATURE_VERIFY_PIN_DIRECT without a usable keypad (firmware that copies a class-3 sibling's
// descriptor). Logs reader names and feature names only.
import type { Logger } from '../../log/logger.js';
import type { ReaderFeatures } from '../pcsc/types.js';

/** What detection found. */
export type ReaderPinPadDetection =
  | { readonly usable: true; readonly mode: 'direct' | 'start-finish'; readonly features: readonly string[] }
  | { readonly usable: false; readonly reason: 'denied' | 'no-pin-feature'; readonly features: readonly string[] };

/**
 * True when `pattern` names `reader`: a glob (`*` any run, `?` one character) matched against the whole name when it
 * has a wildcard, else a substring; both case-insensitive (reader names differ in case and slot suffix by platform).
 */
export function readerNameMatches(pattern: string, reader: string): boolean {
  const p = pattern.toLowerCase();
  const name = reader.toLowerCase();
  if (!/[*?]/.test(p)) return p.length > 0 && name.includes(p);
  const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}

/**
 * Reads the reader's part 10 features and says whether its PIN pad is usable: VERIFY_PIN_DIRECT, or both
 * VERIFY_PIN_START and _FINISH, and the reader not on the deny-list (checked first: a denied reader is not asked).
 * A reader that answers no features (vpcd, class-1 readers) has no PIN pad; other reader errors propagate.
 */
export async function detectReaderPinPad(connection: { features(): Promise<ReaderFeatures> }, readerName: string, deny: readonly string[], logger?: Logger): Promise<ReaderPinPadDetection> {
  const denied = deny.find((d) => readerNameMatches(d, readerName));
  if (denied !== undefined) {
    logger?.info('reader PIN pad ignored: the reader is on the false-PIN-pad list', { reader: readerName, pattern: denied });
    return { usable: false, reason: 'denied', features: [] };
  }
  const features = await connection.features();
  const names = [...features.keys()];
  const mode = features.has('VERIFY_PIN_DIRECT') ? 'direct' : features.has('VERIFY_PIN_START') && features.has('VERIFY_PIN_FINISH') ? 'start-finish' : null;
  logger?.info(mode ? 'reader has a PIN pad' : 'reader has no PIN pad', { reader: readerName, features: names, ...(mode ? { mode } : {}) });
  return mode ? { usable: true, mode, features: names } : { usable: false, reason: 'no-pin-feature', features: names };
}
