// The virtual EMV card under test at the APDU level: hex in, hex out, fixed randomness, terminal data for DOLs.
import { buildDolData, parseDol } from '../../src/apdu/dol.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { dolFormatOf } from '../../src/emv/data-store.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import type { CardProfile } from '../../src/sim/emv/profile-types.js';

/** A card and a hex-in, hex-out exchange function. */
export interface CardUnderTest {
  readonly card: EmvCard;
  readonly profile: CardProfile;
  /** Sends a command (hex, spaces allowed) and returns the response hex (data + SW). */
  x(commandHex: string): string;
}

/** Random bytes that are all `fill`: GET CHALLENGE and ICC dynamic numbers become predictable. */
export function fixedRandom(fill = 0xa5): (n: number) => Uint8Array {
  return (n) => new Uint8Array(n).fill(fill);
}

/** A fresh T=1 EmvCard of the named profile (or a profile object) with fixed randomness. */
export function cardUnderTest(profile: string | CardProfile): CardUnderTest {
  const p = typeof profile === 'string' ? getProfile(profile) : profile;
  const card = new EmvCard(p, { random: fixedRandom() });
  return { card, profile: p, x: (hex) => toHex(card.process(fromHex(hex))) };
}


/** Terminal data for DOLs in tests: amount 12.34 EUR, France, 15 March 2026, purchase, fixed UN 11223344. */
export const TERMINAL_DATA: Readonly<Record<string, string>> = {
  '9F02': '000000001234',
  '9F03': '000000000000',
  '9F1A': '0250',
  '95': '0000000000',
  '5F2A': '0978',
  '9A': '260315',
  '9C': '00',
  '9F37': '11223344',
  '9F35': '22',
  '9F34': '1F0302',
  '9F66': '36004000',
  '8A': '3030',
};

/** DOL-related data for `dolHex` from TERMINAL_DATA overridden by `values` (tag hex → value hex). */
export function dolData(dolHex: string, values: Readonly<Record<string, string>> = {}): string {
  const all: Record<string, string> = { ...TERMINAL_DATA, ...values };
  const lookup = (tag: number): Uint8Array | undefined => {
    const v = all[tag.toString(16).toUpperCase()];
    return v === undefined ? undefined : fromHex(v);
  };
  return toHex(buildDolData(parseDol(fromHex(dolHex)), lookup, dolFormatOf));
}

/** A command APDU hex with Lc computed: header (4 bytes hex) + data hex + Le. */
export function apdu(header: string, data: string, le = '00'): string {
  const n = data.length / 2;
  return `${header}${n ? n.toString(16).padStart(2, '0').toUpperCase() + data : ''}${le}`;
}

/** The first application of the card's profile. */
export const app = (t: CardUnderTest): CardProfile['applications'][number] => t.profile.applications[0];
/** One byte as two hex digits. */
export const byteHex = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();

/** SELECT of the profile's application. */
export function selectApp(t: CardUnderTest): string {
  return t.x(apdu('00A40400', app(t).aid));
}

/** GET PROCESSING OPTIONS with the PDOL data the profile asks for. */
export function gpo(t: CardUnderTest, values: Readonly<Record<string, string>> = {}): string {
  const d = dolData(app(t).pdol, values);
  return t.x(apdu('80A80000', `83${byteHex(d.length / 2)}${d}`));
}

/** GENERATE AC with P1 (hex) and the CDOL1 data, or the CDOL2 data when `second`. */
export function generateAc(t: CardUnderTest, p1: string, values: Readonly<Record<string, string>> = {}, second = false): string {
  return t.x(apdu(`80AE${p1}00`, dolData(second ? app(t).cdol2 : app(t).cdol1, values)));
}
