import { fromHex, toHex } from '../apdu/hex.js';
import type { VirtualCard } from './virtual-card.js';

/**
 * A card that answers from a fixed table of command → response (hex), in any order and any number of times;
 * anything else gets `fallback` (default 6D00, instruction not supported). For demos and reader tests where the
 * order of commands does not matter; use ScriptedCard when it does.
 */
export class TableCard implements VirtualCard {
  readonly atr: Uint8Array;
  private readonly table: ReadonlyMap<string, Uint8Array>;
  private readonly fallback: Uint8Array;
  /** Every command received, hex, in order (tests read it). */
  readonly log: string[] = [];

  /** Builds the card from an ATR and command/response pairs (hex). */
  constructor(atrHex: string, entries: Readonly<Record<string, string>>, fallbackHex = '6D00') {
    this.atr = fromHex(atrHex);
    this.table = new Map(Object.entries(entries).map(([c, r]) => [toHex(fromHex(c)), fromHex(r)]));
    this.fallback = fromHex(fallbackHex);
  }

  /** Nothing to forget: the table has no state. */
  reset(): void {
    // Stateless by design.
  }

  /** The table's answer to `command`, or the fallback. */
  process(command: Uint8Array): Uint8Array {
    const hex = toHex(command);
    this.log.push(hex);
    return this.table.get(hex) ?? this.fallback;
  }
}

/**
 * The demo card: a payment-card-like applet with a PSE, one Visa application record and a PAN that is a
 * public test number (4761 7390 0101 0119, EMVCo/Visa test cards). T=1 ATR unless wrapped in T0Card.
 */
export function demoCard(): TableCard {
  return new TableCard('3B8E800180318066B1840C016E01830090001C', {
    // SELECT 1PAY.SYS.DDF01: FCI with SFI 1 and language 'en'.
    '00A404000E315041592E5359532E444446303100': '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000',
    // READ RECORD SFI 1 record 1: directory entry for Visa credit (A0000000031010), label VISA CREDIT, priority 1.
    '00B2010C00': '701B61194F07A0000000031010500B56495341204352454449548701019000',
    // SELECT A0000000031010: FCI with label and PDOL-less proprietary template.
    '00A4040007A000000003101000': '6F1E8407A0000000031010A513500B56495341204352454449548701019F38009000',
    // READ RECORD SFI 1 record 2 of the application: PAN, expiry, cardholder name.
    '00B2020C00': '70265A0847617390010101195F24032712315F200E5445535420434152442F564953415F280208409000',
  });
}
