import { lookupTag } from '../../apdu/emv-tags.js';
import { fromHex, toHex } from '../../apdu/hex.js';
import { decodeTlv, tagHex, type TlvNode } from '../../apdu/tlv.js';
import { maskPan } from '../../log/redact.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** One decoded object as printed: tag, dictionary name, length, value (card numbers masked), children. */
export interface TlvOut {
  readonly tag: string;
  readonly name: string | null;
  readonly length: number;
  readonly value: string;
  readonly children?: TlvOut[];
}

/**
 * Decoded nodes with names from the EMV dictionary; PAN and track data values masked (first 6, last 4).
 * A template's value holds its children's encodings, so their masked values are put in it too: otherwise
 * `70 … 5A 08 <PAN>` would print the masked 5A child next to the clear PAN inside the 70's value.
 */
export function describeTlv(nodes: readonly TlvNode[]): TlvOut[] {
  return nodes.map((n) => {
    const info = lookupTag(n.tag);
    const children = n.constructed ? describeTlv(n.children) : undefined;
    let value = toHex(n.value);
    if (info?.sensitive) value = maskSensitive(value);
    else if (children) {
      // Every masked value has the length of its hex; children's values are views of the parent's bytes.
      n.children.forEach((c, i) => {
        const at = 2 * (c.value.byteOffset - n.value.byteOffset);
        value = value.slice(0, at) + children[i].value + value.slice(at + children[i].value.length);
      });
    }
    return {
      tag: tagHex(n.tag),
      name: info?.name ?? null,
      length: n.value.length,
      value,
      ...(children ? { children } : {}),
    };
  });
}

function maskSensitive(hex: string): string {
  const pan = /^([0-9]{12,19})/.exec(hex);
  return pan ? maskPan(pan[1]).padEnd(hex.length, '*') : '*'.repeat(hex.length);
}

/** `posbridge tlv HEX`: the BER-TLV tree; malformed input exits 2 naming the offset. */
export async function tlvCommand(ctx: CliContext, hex: string, opts: { json?: boolean }): Promise<number> {
  const tree = describeTlv(decodeTlv(fromHex(hex)));
  if (opts.json) {
    ctx.out(JSON.stringify({ tlv: tree }));
    return EXIT.OK;
  }
  const print = (nodes: readonly TlvOut[], depth: number): void => {
    for (const n of nodes) {
      const pad = '  '.repeat(depth);
      ctx.out(`${pad}${n.tag} ${n.name ?? '(unknown tag)'} [${n.length}]${n.children ? '' : ` ${n.value}`}`);
      if (n.children) print(n.children, depth + 1);
    }
  };
  print(tree, 0);
  return EXIT.OK;
}
