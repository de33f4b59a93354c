// The shape of a virtual EMV card profile (src/sim/emv/profiles/*.json), after validation by profile-loader.ts.
// Hex fields are uppercase strings without separators; amounts are minor units of the application currency.

/**
 * What a transaction with the profile's card ends in, with the default terminal and an approving host (a qVSDC card:
 * runContactless with defaultContactlessConfig(), 12.34 EUR; 'try-another-interface' only for those).
 */
export type ExpectedOutcome = 'approved' | 'declined' | 'failed' | 'try-another-interface';

/** Offline data authentication the card is personalised for (EMV Book 3 §10.3). */
export type OdaMethod = 'SDA' | 'DDA' | 'CDA' | 'none';

/** One command of an issuer script the host sends to this card (EMV Book 3 §10.10), before MAC. */
export interface ScriptCommandProfile {
  /** Instruction, hex byte: 'DA' PUT DATA, '1E' APPLICATION BLOCK, '18' APPLICATION UNBLOCK, '24' PIN UNBLOCK, 'DC' UPDATE RECORD, '16' CARD BLOCK. */
  readonly ins: string;
  readonly p1: string;
  readonly p2: string;
  /** Plain command data, hex (the MAC is appended by the issuer helper). */
  readonly data: string;
}

/** An issuer script template the host sends: 71 before, 72 after the final GENERATE AC. */
export interface ScriptProfile {
  readonly template: '71' | '72';
  /** Issuer Script Identifier (9F18), 4 bytes hex. */
  readonly id: string;
  readonly commands: readonly ScriptCommandProfile[];
}

/** How the card's own risk management decides (card action analysis, Book 3 §10.8, issuer-defined). */
export interface BehaviourProfile {
  /** Always answer the first GENERATE AC with an AAC. */
  readonly declineOffline: boolean;
  /** A requested TC is given offline only for amounts below this (minor units); absent: never offline. */
  readonly approveOfflineBelow: number | null;
  /** Issuer scripts the host simulator sends with its answer for this card. */
  readonly issuerScripts: readonly ScriptProfile[];
}

/** fDDA personalisation of a qVSDC/qUICS application (EMV Contactless Book C-3 Annex C). */
export interface FddaProfile {
  /** fDDA version number, byte 1 of 9F69: '00' (the signature hashes the UN only; no 9F69 sent) or '01'. */
  readonly version: '00' | '01';
  /** Length of the Card Authentication Related Data (9F69): 5 (version, card UN) or 7 (with the CTQ). */
  readonly cardAuthDataLength: 5 | 7;
  /** Signed data format of the SDAD (9F4B): '05' or '95'. */
  readonly signedDataFormat: '05' | '95';
}

/**
 * A contactless application answering GPO the quick way (Visa qVSDC, Book C-3; UnionPay qUICS): the cryptogram in
 * the GPO answer, computed over the CDOL1 tags taken from the PDOL data (so the issuer side rebuilds it from field 55).
 */
export interface QvsdcProfile {
  /** Kernel identifier (9F2A) in the PPSE entry, 1 byte hex; null: absent (the reader uses the RID's default). */
  readonly kernelId: string | null;
  /** Card Transaction Qualifiers (9F6C) bits always set, 2 bytes hex (e.g. 2000: go online if ODA fails). */
  readonly ctq: string;
  /** CVM the card asks for when the reader says "CVM required": online PIN, signature; 'cdcvm' (a phone) did it itself. */
  readonly cvm: 'online-pin' | 'signature' | 'cdcvm' | 'none';
  /** Form Factor Indicator (9F6E), hex, or null. */
  readonly formFactor: string | null;
  /** fDDA (needs oda DDA and records), or null. */
  readonly fdda: FddaProfile | null;
  /** GPO answers only this status word (6984 try another interface, 6986 see phone), or null. */
  readonly gpoStatus: string | null;
  /** A TC below this amount when the reader does not require an online cryptogram; null: always online. */
  readonly offlineLimit: number | null;
  /** The GPO answer carries an AFL (records to read: cardholder data, certificates); false: everything is in GPO. */
  readonly afl: boolean;
}

/**
 * A Mastercard M/Chip application for the reader's Kernel 2 (EMV Contactless Book C-2): the full EMV flow (GPO,
 * records, GENERATE AC with CDA), in EMV mode (AIP byte 2 b8); the profile's `expected` is the contactless outcome.
 */
export interface MchipProfile {
  /** Kernel identifier (9F2A) in the PPSE entry: '02', or null (absent: the reader uses the RID's default, 2). */
  readonly kernelId: string | null;
  /** A phone: AIP byte 1 b2 "on device cardholder verification supported" (it verifies its user itself). */
  readonly onDeviceCvm: boolean;
}

/** One payment application on the card. */
export interface ApplicationProfile {
  /** AID (ADF name), 5-16 bytes hex. */
  readonly aid: string;
  /** Application label (50), ASCII. */
  readonly label: string;
  /** Application priority indicator (87), 1-15; bit 8 (cardholder confirmation) via `confirmationRequired`. */
  readonly priority: number;
  readonly confirmationRequired: boolean;
  /** PDOL (9F38), hex; empty when the card has none. */
  readonly pdol: string;
  /** Application Interchange Profile (82), 2 bytes hex; must agree with `oda`. */
  readonly aip: string;
  /** Application Usage Control (9F07), 2 bytes hex. */
  readonly auc: string;
  /** CVM list (8E), hex: amount X (4), amount Y (4), then 2-byte rules. */
  readonly cvmList: string;
  /** Issuer action codes (9F0E, 9F0F, 9F0D), 5 bytes hex each. */
  readonly iac: { readonly denial: string; readonly online: string; readonly default: string };
  /** Application version number (9F08), 2 bytes hex. */
  readonly appVersion: string;
  /** PAN (5A), digits, Luhn-valid public test number. */
  readonly pan: string;
  /** PAN sequence number (5F34), 2 digits. */
  readonly psn: string;
  /** Expiration and effective dates (5F24, 5F25), YYMMDD. */
  readonly expiry: string;
  readonly effective: string;
  /** Issuer country (5F28), ISO 3166 numeric, 4 digits. */
  readonly issuerCountry: string;
  /** Application currency (9F42), ISO 4217 numeric, 4 digits. */
  readonly currency: string;
  readonly oda: OdaMethod;
  /** Issuer master key for application cryptograms (Book 2 Annex A1.4), 16 bytes hex. TEST value. */
  readonly issuerMasterKey: string;
  /** Issuer master key for script MACs (secure messaging integrity); defaults to `issuerMasterKey`. TEST value. */
  readonly issuerScriptKey: string;
  /** PIN try limit and the counter at personalisation (9F17); 0 means PIN tries exhausted. */
  readonly pinTryLimit: number;
  readonly pinTryCounter: number;
  /** The application answers SELECT with 6283 and refuses GPO. */
  readonly blocked: boolean;
  /** Lower and upper consecutive offline limits (9F14, 9F23); null when the card has none. */
  readonly lowerConsecutiveLimit: number | null;
  readonly upperConsecutiveLimit: number | null;
  /** CDOL1 (8C), CDOL2 (8D) and DDOL (9F49), hex. CDOL1 may only name tags the host gets in field 55. */
  readonly cdol1: string;
  readonly cdol2: string;
  readonly ddol: string;
  /** Response format of GPO, INTERNAL AUTHENTICATE and GENERATE AC: 1 (80) or 2 (77). CDA needs 2. */
  readonly responseFormat: 1 | 2;
  /** Public exponent of the ICC key pair in the simulator's test keys (sim-keys.ts) (3 or 65537). */
  readonly iccKeyExponent: 3 | 65537;
  /** Expiry of the issuer and ICC certificates, MMYY. */
  readonly certificateExpiry: string;
  readonly behaviour: BehaviourProfile;
  /** Quick contactless GPO (qVSDC/qUICS), or null for the full EMV flow. */
  readonly qvsdc: QvsdcProfile | null;
  /** Kernel 2's M/Chip application (contactless, full EMV flow), or null. */
  readonly mchip: MchipProfile | null;
}

/** A virtual card: its ATR and protocol, interfaces, directory, applications and PIN. */
export interface CardProfile {
  readonly name: string;
  readonly description: string;
  /** The cardholder's PIN (offline PIN checks it; the demo's PIN pad types it). */
  readonly pin: string;
  readonly expected: ExpectedOutcome;
  /** When `expected` is 'failed': the EmvError code the kernel ends with. */
  readonly expectedError: string | null;
  /** ATR hex; must offer `protocol` and carry a valid TCK when T=1 is offered. */
  readonly atr: string;
  readonly protocol: 'T=0' | 'T=1';
  readonly interfaces: readonly ('contact' | 'contactless')[];
  /** The card has a PSE (1PAY.SYS.DDF01); contactless cards always have the PPSE (2PAY.SYS.DDF01). */
  readonly pse: boolean;
  readonly applications: readonly ApplicationProfile[];
}

/** What the CLI shows about a profile. */
export interface ProfileInfo {
  readonly name: string;
  readonly description: string;
  readonly pin: string;
  readonly expected: ExpectedOutcome;
}
