/** Characters receiptline gives a meaning to; a backslash makes each literal (receiptline's escape rule). */
const SPECIAL = /[\\|{}\-=~_"`^]/g;

/**
 * A receiptline document from laid-out text lines (`textReceipt`): rules stay rules, lines with leading spaces
 * (the centred ones) are centred, the others left-aligned; every character is printed as given. A reprint gets
 * a reversed "COPY" line at the top and bottom.
 */
export function receiptDocument(lines: readonly string[], copyMark: boolean): string {
  const esc = (t: string): string => t.replace(SPECIAL, (c) => `\\${c}`);
  const out: string[] = [];
  if (copyMark) out.push('`^COPY`', '');
  for (const l of lines) {
    if (l.length > 0 && /^-+$/.test(l)) out.push('-');
    else if (l.trim() === '') out.push('');
    else if (l.startsWith(' ')) out.push(esc(l.trim()));
    else out.push(`${esc(l)} |`);
  }
  if (copyMark) out.push('', '`^COPY`');
  // No trailing "=": receiptline already ends every job with a cut (and GS r 1); "=" would cut twice.
  return out.join('\n') + '\n';
}
