// A class-3 reader's secure PIN entry, emulated for the in-process reader: PC/SC Part 10 v2.02.09 §2.2 feature
// list, §2.5.2 FEATURE_VERIFY_PIN_DIRECT, §2.5.3 VERIFY_PIN_START/FINISH, FEATURE_ABORT and IFD_PIN_PROPERTIES.
// The digits come from a supplier (the cardholder at the keypad) and go only into the APDU sent to the card.
import { FEATURE_TAGS, getFeatureRequestCode } from '../../drivers/pinpad/pcsc-part10-features.js';
import { parsePinVerifyStructure, pinApdu, type PinVerifyStructure } from './pin-verify-parser.js';

/** What the reader's keypad shows the cardholder (a part 10 reader knows no amount). */
export interface ReaderKeypadPrompt {
  readonly minDigits: number;
  readonly maxDigits: number;
  /** bTimerOut as the reader applies it (the reader default when the structure says 0). */
  readonly timeoutS: number;
  readonly messageIndex: number;
  readonly langId: number;
  /** Aborted when the entry ends without the cardholder: timeout or FEATURE_ABORT. */
  readonly signal: AbortSignal;
}

/** The cardholder at the reader's keypad: the digits typed and OK, or null for the cancel key. */
export type ReaderKeypad = (prompt: ReaderKeypadPrompt) => Promise<string | null>;

/** Which part 10 features the emulated reader announces (all by default). */
export interface ReaderPinPadEmulatorOptions {
  readonly verifyDirect?: boolean;
  readonly startFinish?: boolean;
  readonly abort?: boolean;
  readonly pinProperties?: boolean;
  /** Seconds used when bTimerOut is 0 (default 30). */
  readonly defaultTimeoutS?: number;
  /** Milliseconds per reader second, so tests can run timeouts fast (default 1000). */
  readonly msPerSecond?: number;
}

// SPE status words (Part 10 §2.5.2): entry timed out, cancelled, PIN outside min/max, invalid parameter.
const SW_TIMEOUT = Uint8Array.of(0x64, 0x00);
const SW_CANCELLED = Uint8Array.of(0x64, 0x01);
const SW_LENGTH = Uint8Array.of(0x64, 0x03);
const SW_INVALID_PARAMETER = Uint8Array.of(0x6b, 0x80);

/** IOCTL of a feature as the CCID driver numbers them: SCARD_CTL_CODE(0x330000 + tag) (pcsc-lite ccid ifdhandler). */
function featureCode(tag: number): number {
  return (getFeatureRequestCode() & 0xff000000) + 0x330000 + tag;
}

/** The result of handling one control code: `null` when the emulated reader has no such code. */
export type ControlAnswer = Uint8Array | null;

/**
 * The secure PIN entry of one emulated reader. `control` answers the part 10 codes it announces; the VERIFY goes to
 * the card through `send` and the card's answer is returned as a real reader returns it.
 */
export class ReaderPinPadEmulator {
  private readonly codes: ReadonlyMap<number, number>;
  private pending: { abort: AbortController; result: Promise<Uint8Array> } | null = null;
  private readonly defaultTimeoutS: number;
  private readonly msPerSecond: number;
  /** Why the last structure was answered 6B80 (the parser's error), for tests and diagnostics. */
  rejected: unknown = null;

  /** Builds the reader's PIN pad around the cardholder's keypad. */
  constructor(
    private readonly keypad: ReaderKeypad,
    options: ReaderPinPadEmulatorOptions = {},
  ) {
    const tags: number[] = [];
    if (options.verifyDirect ?? true) tags.push(FEATURE_TAGS.VERIFY_PIN_DIRECT);
    if (options.startFinish ?? true) tags.push(FEATURE_TAGS.VERIFY_PIN_START, FEATURE_TAGS.VERIFY_PIN_FINISH);
    if (options.abort ?? true) tags.push(FEATURE_TAGS.ABORT);
    if (options.pinProperties ?? true) tags.push(FEATURE_TAGS.IFD_PIN_PROPERTIES);
    this.codes = new Map(tags.map((t) => [featureCode(t), t]));
    this.defaultTimeoutS = options.defaultTimeoutS ?? 30;
    this.msPerSecond = options.msPerSecond ?? 1000;
  }

  /** Answers a control code: the feature list, a PIN entry, an abort; null for codes this reader does not have. */
  async control(code: number, data: Uint8Array, send: (apdu: Uint8Array) => Promise<Uint8Array>): Promise<ControlAnswer> {
    if (code === getFeatureRequestCode()) return this.featureList();
    const tag = this.codes.get(code);
    switch (tag) {
      case FEATURE_TAGS.VERIFY_PIN_DIRECT:
        return this.start(data, send)?.result ?? SW_INVALID_PARAMETER;
      case FEATURE_TAGS.VERIFY_PIN_START:
        // START answers at once; the outcome waits for FINISH (§2.5.3).
        return this.start(data, send) ? new Uint8Array(0) : SW_INVALID_PARAMETER;
      case FEATURE_TAGS.VERIFY_PIN_FINISH: {
        const p = this.pending;
        return p ? p.result : SW_INVALID_PARAMETER;
      }
      case FEATURE_TAGS.ABORT:
        this.pending?.abort.abort();
        return new Uint8Array(0);
      case FEATURE_TAGS.IFD_PIN_PROPERTIES:
        // PIN_PROPERTIES_STRUCTURE: wLcdLayout 0000 (no display), bEntryValidationCondition 07, bTimeOut2 00.
        return Uint8Array.of(0x00, 0x00, 0x07, 0x00);
      default:
        return null;
    }
  }

  private featureList(): Uint8Array {
    const out = new Uint8Array(this.codes.size * 6);
    let i = 0;
    for (const [code, tag] of this.codes) {
      out[i] = tag;
      out[i + 1] = 4;
      new DataView(out.buffer).setUint32(i + 2, code, false);
      i += 6;
    }
    return out;
  }

  /** Parses the structure and starts the entry; null (6B80) when the structure is invalid or an entry is running. */
  private start(structure: Uint8Array, send: (apdu: Uint8Array) => Promise<Uint8Array>): { result: Promise<Uint8Array> } | null {
    if (this.pending) return null;
    let s: PinVerifyStructure;
    try {
      s = parsePinVerifyStructure(structure);
    } catch (err) {
      // A real reader answers an unusable structure with 6B80 and nothing else; the reason is kept for tests.
      this.rejected = err;
      return null;
    }
    const abort = new AbortController();
    const result = this.entry(s, abort, send).finally(() => {
      this.pending = null;
    });
    this.pending = { abort, result };
    return this.pending;
  }

  private async entry(s: PinVerifyStructure, abort: AbortController, send: (apdu: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    const timeoutS = s.timeoutS || this.defaultTimeoutS;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<string | null | 'timeout' | 'aborted'>((resolve, reject) => {
      timer = setTimeout(() => {
        resolve('timeout');
        abort.abort();
      }, timeoutS * this.msPerSecond);
      abort.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
      const prompt: ReaderKeypadPrompt = { minDigits: s.minDigits, maxDigits: s.maxDigits, timeoutS, messageIndex: s.messageIndex, langId: s.langId, signal: abort.signal };
      this.keypad(prompt).then(resolve, reject);
    }).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') return SW_TIMEOUT;
    if (outcome === 'aborted' || outcome === null) return SW_CANCELLED;
    if (!/^\d+$/.test(outcome) || outcome.length < s.minDigits || outcome.length > s.maxDigits) return SW_LENGTH;
    return send(pinApdu(s, Array.from(outcome, Number)));
  }
}
