/** One entry of pcsc-tools' smartcard_list.txt: an ATR pattern and its description lines. */
export interface AtrListEntry {
  readonly pattern: RegExp;
  readonly descriptions: readonly string[];
}

/** Where Debian's pcsc-tools installs the ATR list. */
export const SMARTCARD_LIST_PATH = '/usr/share/pcsc/smartcard_list.txt';

/**
 * Parses smartcard_list.txt: a line starting with an ATR regex ("3B 8F .. 01"), then tab-indented descriptions.
 * Lines that are not valid patterns are skipped, so a damaged file never stops the parse.
 */
export function parseAtrList(text: string): AtrListEntry[] {
  const out: AtrListEntry[] = [];
  let current: { pattern: RegExp; descriptions: string[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#') || line.trim() === '') {
      current = null;
      continue;
    }
    if (line.startsWith('\t')) {
      if (current) current.descriptions.push(line.trim());
      continue;
    }
    const pattern = toRegExp(line.trim());
    current = pattern ? { pattern, descriptions: [] } : null;
    if (current) out.push(current);
  }
  return out;
}

function toRegExp(atrPattern: string): RegExp | null {
  if (!/^[0-9A-Fa-f .[\]\-|()*+?]+$/.test(atrPattern)) return null;
  try {
    return new RegExp(`^${atrPattern.toUpperCase()}$`);
  } catch {
    return null; // an entry the list's own tools could not use either
  }
}

/** Description lines of every entry matching the ATR (hex without spaces). */
export function describeAtr(entries: readonly AtrListEntry[], atrHex: string): string[] {
  const spaced = atrHex.toUpperCase().replace(/(..)(?!$)/g, '$1 ');
  const out: string[] = [];
  for (const e of entries) if (e.pattern.test(spaced)) out.push(...e.descriptions);
  return out;
}
