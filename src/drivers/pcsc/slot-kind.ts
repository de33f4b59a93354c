// Which interface a PC/SC reader slot is: dual-interface readers show their contactless (PICC) slot, their contact
// (ICC) slot and often a SAM slot as separate readers, named by the vendor. A contactless card's ATR is built by the
// reader (PC/SC Part 3 §3.1.3.2.3: 3B 8n 80 01 and historical bytes), which settles it when a card is in.

/** The interface of a reader slot. */
export type SlotKind = 'contactless' | 'contact' | 'sam' | 'unknown';

const CONTACTLESS_NAME = /\bPICC\b|contactless|\bCL\b|\bNFC\b|\bRFID\b/i;
const SAM_NAME = /\bSAM\b/i;
const CONTACT_NAME = /\bICC\b|\bcontact\b|smart ?card reader|\bCCID\b/i;

/** The slot's interface from its name and, when a card is in, its ATR. */
export function slotKind(name: string, atr: Uint8Array | null = null): SlotKind {
  // PC/SC Part 3: TS 3B, T0 8n (TD1 present, n historical bytes), TD1 80 (TD2 present, T=0), TD2 01 (T=1).
  if (atr && atr.length >= 4 && atr[0] === 0x3b && (atr[1] & 0xf0) === 0x80 && atr[2] === 0x80 && atr[3] === 0x01) return 'contactless';
  if (SAM_NAME.test(name)) return 'sam';
  if (CONTACTLESS_NAME.test(name)) return 'contactless';
  if (CONTACT_NAME.test(name)) return 'contact';
  return 'unknown';
}
