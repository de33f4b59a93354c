/**
 * Masking of card numbers and track data wherever they might be shown or logged (PCI DSS 3.4:
 * at most the first six and last four digits). Pure functions; the logger's one formatter uses them.
 */

/** Keys whose values are always masked or removed, whatever they hold. */
const PAN_KEYS = new Set(['pan', '5a', 'cardnumber', 'primaryaccountnumber']);
const SECRET_KEYS = new Set(['57', '9f6b', '56', '9f1f', '9f20', 'track', 'track1', 'track2', 'track3', 'pin', 'pinblock', 'cvv', 'cvc', 'cvv2', '52', '35']);

/** True when the digit string passes the Luhn check (ISO/IEC 7812-1 Annex B). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A PAN with all but the first six and last four digits replaced by '*'. Short values are fully masked. */
export function maskPan(pan: string): string {
  const digits = pan.replace(/[^0-9]/g, '');
  if (digits.length < 13) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

const DIGIT_RUN = /(?<![0-9])(?:[0-9]{4}[ -]){3}[0-9]{1,7}(?![0-9])|(?<![0-9])[0-9]{13,19}(?![0-9])/g;

/** Masks Luhn-valid 13–19 digit runs (also written in groups of four) in free text. */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return run;
    return maskPan(digits);
  });
}

/**
 * Masks EMV card-number objects inside hex text: 5A (PAN) keeps first 6/last 4 digits; 57 and 9F6B (track 2
 * equivalent data) keep only the masked PAN. Every byte-aligned position of every hex run is checked, and
 * only where the length byte and the BCD content fit.
 */
export function maskTlvHex(text: string): string {
  // Hex written with a separator between bytes ("5A 08 47 61 …") is checked in its compact form; where it held
  // card data it is replaced by the masked compact form.
  const spaced = text.replace(/(?:[0-9A-Fa-f]{2}[ :]){7,}[0-9A-Fa-f]{2}/g, (run) => {
    const compact = run.replace(/[ :]/g, '');
    const masked = maskCompactHex(compact);
    return masked === compact ? run : masked;
  });
  return maskCompactHex(spaced);
}

function maskCompactHex(text: string): string {
  return text.replace(/[0-9A-Fa-f]{16,}/g, (run) => {
    let out = '';
    let i = 0;
    while (i < run.length) {
      const masked = maskObjectAt(run, i);
      if (masked) {
        out += masked.text;
        i += masked.consumed;
      } else {
        out += run.slice(i, i + 2);
        i += 2;
      }
    }
    return out;
  });
}

function maskObjectAt(run: string, i: number): { text: string; consumed: number } | null {
  const upper = run.slice(i, i + 4).toUpperCase();
  const tag = upper.startsWith('5A') ? '5A' : upper.startsWith('57') ? '57' : upper.startsWith('56') ? '56' : upper === '9F6B' || upper === '9F1F' || upper === '9F20' ? upper : null;
  if (!tag) return null;
  const lenAt = i + tag.length;
  const len = Number.parseInt(run.slice(lenAt, lenAt + 2), 16);
  if (!(len >= 1 && len <= 79) || run.length < lenAt + 2 + 2 * len) return null;
  const value = run.slice(lenAt + 2, lenAt + 2 + 2 * len).toUpperCase();
  const head = run.slice(i, lenAt + 2);
  const consumed = tag.length + 2 + 2 * len;
  // Track 1 (56: "B" + PAN + "^" … in ASCII) and the track discretionary data (9F1F ASCII, 9F20 BCD): all masked.
  if (tag === '56') return /^42(3[0-9]){12,19}5E/.test(value) ? { text: head + '*'.repeat(value.length), consumed } : null;
  if (tag === '9F1F') return /^([2-7][0-9A-F])+$/.test(value) ? { text: head + '*'.repeat(value.length), consumed } : null;
  if (tag === '9F20') return /^[0-9]+F?$/.test(value) ? { text: head + '*'.repeat(value.length), consumed } : null;
  if (len < 6 || len > 19) return null;
  const pan = tag === '5A' ? /^([0-9]{12,19})F?$/.exec(value) : /^([0-9]{12,19})D[0-9]*F?$/.exec(value);
  if (!pan) return null;
  return { text: head + maskPan(pan[1]).padEnd(value.length, '*'), consumed };
}

/**
 * Masks card data in one string: TLV hex, then digit runs. In that order: masking a Luhn-valid digit run inside
 * track 2's discretionary data first would break the 57 object's pattern and leave its PAN in clear.
 */
export function redactString(text: string): string {
  return maskDigitRuns(maskTlvHex(text));
}

/** Deep copy of a log record with card data masked and secrets removed, by key and by content. */
export function redactValue(value: unknown, key = '', depth = 0): unknown {
  const k = key.toLowerCase();
  if (SECRET_KEYS.has(k)) return value === undefined || value === null ? value : '[REDACTED]';
  if (PAN_KEYS.has(k) && (typeof value === 'string' || typeof value === 'number')) return maskPan(String(value));
  if (typeof value === 'string') return redactString(value);
  if ((typeof value === 'number' && Number.isInteger(value) && value >= 1e12) || typeof value === 'bigint') {
    const digits = typeof value === 'bigint' ? value.toString() : value.toFixed(0);
    const masked = maskDigitRuns(digits);
    return masked === digits ? value : masked;
  }
  if (value === null || typeof value !== 'object') return value;
  // Too deep (or cyclic) to inspect: never hand back the raw object, which could hold card data.
  if (depth > 8) return '[too deep]';
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, '', depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), ...(redactValue({ ...value }, '', depth + 1) as object) };
  }
  const out: Record<string, unknown> = {};
  for (const [kk, vv] of Object.entries(value)) out[kk] = redactValue(vv, kk, depth + 1);
  return out;
}
