// Which interface a PC/SC reader slot is: dual-interface readers show their contactless (PICC) slot, their contact
// (ICC) slot and often a SAM slot as separate readers, named by the vendor. A contactless storage card's ATR is built
// by the reader with the PC/SC RID (PC/SC Part 3: 3B 8F 80 01 80 4F 0C A0 00 00 03 06 …), which settles it when such
// a card is in; an ISO 14443-4 card's built ATR (3B 8n 80 01 + historical bytes) looks like a contact T=1 card's, so
// only the name decides then.

/** The interface of a reader slot. */
export type SlotKind = 'contactless' | 'contact' | 'sam' | 'unknown';

const CONTACTLESS_NAME = /\bPICC\b|contactless|\bCL\b|\d+CL\b|\bNFC\b|\bRFID\b/i;
const SAM_NAME = /\bSAM\b/i;
const CONTACT_NAME = /\bICC\b|\bcontact\b|smart ?card reader|\bCCID\b/i;

/** The slot's interface from its name and, when a card is in, its ATR. */
export function slotKind(name: string, atr: Uint8Array | null = null): SlotKind {
  if (atr && startsWith(atr, PCSC_STORAGE_ATR)) return 'contactless';
  if (SAM_NAME.test(name)) return 'sam';
  if (CONTACTLESS_NAME.test(name)) return 'contactless';
  if (CONTACT_NAME.test(name)) return 'contact';
  return 'unknown';
}

/** PC/SC Part 3's ATR of a contactless storage card: 3B 8F 80 01, then 80 4F 0C and the PC/SC RID A0 00 00 03 06. */
const PCSC_STORAGE_ATR = Uint8Array.from([0x3b, 0x8f, 0x80, 0x01, 0x80, 0x4f, 0x0c, 0xa0, 0x00, 0x00, 0x03, 0x06]);

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  return a.length >= prefix.length && prefix.every((b, i) => a[i] === b);
}
