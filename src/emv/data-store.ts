import { tagHex } from '../apdu/tlv.js';
import { lookupTag } from '../apdu/emv-tags.js';
import type { DolFormat } from '../apdu/dol.js';

/**
 * The transaction's data objects by tag, card and terminal alike, as DOLs and field 55 look them up.
 * Card data is kept separate so that a card cannot overwrite terminal data (EMV Book 3 §10.2).
 */
export class EmvDataStore {
  private readonly card = new Map<number, Uint8Array>();
  private readonly terminal = new Map<number, Uint8Array>();

  /** Stores a data object read from the card; false when it was already present (a duplicate). */
  setCard(tag: number, value: Uint8Array): boolean {
    if (this.card.has(tag)) return false;
    this.card.set(tag, value);
    return true;
  }

  /** Replaces a card data object (for values the card sends again, e.g. ATC in each GENERATE AC). */
  replaceCard(tag: number, value: Uint8Array): void {
    this.card.set(tag, value);
  }

  /** Stores or replaces a terminal data object. */
  setTerminal(tag: number, value: Uint8Array): void {
    this.terminal.set(tag, value);
  }

  /** Terminal data first (what the terminal decided), then card data. */
  get(tag: number): Uint8Array | undefined {
    return this.terminal.get(tag) ?? this.card.get(tag);
  }

  /** A card data object. */
  getCard(tag: number): Uint8Array | undefined {
    return this.card.get(tag);
  }

  /** True when the card supplied `tag`. */
  hasCard(tag: number): boolean {
    return this.card.has(tag);
  }

  /** Removes card data (when an application is dropped and selection starts again). */
  clearCard(): void {
    this.card.clear();
  }
}

/** The DOL fitting format of a tag from the dictionary (n left-padded, cn F-padded, others zero-padded). */
export function dolFormatOf(tag: number): DolFormat {
  const f = lookupTag(tagHex(tag))?.format;
  return f === 'n' ? 'n' : f === 'cn' ? 'cn' : 'other';
}
