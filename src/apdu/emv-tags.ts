/** Data-element format per EMV Book 3 §4.3: n numeric BCD, cn compressed numeric, an, ans, b binary, var = variable/template. */
export type TagFormat = 'n' | 'cn' | 'a' | 'an' | 'ans' | 'b' | 'var';
/** Where a data element comes from. */
export type TagSource = 'ICC' | 'Terminal' | 'Issuer' | 'ICC/Terminal';
/** One dictionary entry. */
export interface TagInfo {
  readonly tag: string;        // uppercase hex, e.g. '9F26'
  readonly name: string;       // e.g. 'Application Cryptogram'
  readonly format: TagFormat;
  readonly source: TagSource;
  readonly minLength?: number; // bytes, when the spec fixes it
  readonly maxLength?: number; // bytes
  readonly template?: boolean; // true for constructed templates like 70, 77, 6F, A5, BF0C, 61
  readonly sensitive?: boolean;// true for card number / track / PIN data: callers mask these
}

/** T = constructed template, S = sensitive (PAN, track data, PIN data). */
type Flag = 'T' | 'S';
type Row = readonly [
  tag: string, name: string, format: TagFormat, source: TagSource,
  min?: number | undefined, max?: number | undefined, flag?: Flag,
];
const U = undefined;

// Sources: EMV 4.4 Book 3 Annex A (Data Elements Dictionary, incl. the biometric and tokenisation
// elements), EMV 4.4 Book 1 (application selection), EMV Contactless Books A/B (Entry Point),
// Book C-2 (Mastercard kernel 2), Book C-3 (Visa kernel 3) / VCPS, Book C-4 (Amex kernel 4).
// Lengths are in bytes and only given where the specification fixes them. Where a scheme reuses a
// tag with a different meaning the name lists each meaning and the lengths cover all of them.
// EMV 4.4 says 8A comes from "Issuer/Terminal"; it is listed here as 'Issuer'.
const ROWS: readonly Row[] = [
  // ---- EMV 4.4 Book 3 Annex A: one-byte tags ----
  ['42', 'Issuer Identification Number (IIN)', 'n', 'ICC', 3, 3],
  ['4F', 'Application Identifier (AID) - card', 'b', 'ICC', 5, 16],
  ['50', 'Application Label', 'ans', 'ICC', 1, 16],
  ['57', 'Track 2 Equivalent Data', 'b', 'ICC', U, 19, 'S'],
  ['5A', 'Application Primary Account Number (PAN)', 'cn', 'ICC', U, 10, 'S'],
  ['61', 'Application Template', 'var', 'ICC', U, 252, 'T'],
  ['6F', 'File Control Information (FCI) Template', 'var', 'ICC', U, 252, 'T'],
  ['70', 'READ RECORD Response Message Template', 'var', 'ICC', U, 252, 'T'],
  ['71', 'Issuer Script Template 1', 'var', 'Issuer', U, U, 'T'],
  ['72', 'Issuer Script Template 2', 'var', 'Issuer', U, U, 'T'],
  ['73', 'Directory Discretionary Template', 'var', 'ICC', U, 252, 'T'],
  ['77', 'Response Message Template Format 2', 'var', 'ICC', U, U, 'T'],
  ['80', 'Response Message Template Format 1', 'var', 'ICC'],
  ['81', 'Amount, Authorised (Binary)', 'b', 'Terminal', 4, 4],
  ['82', 'Application Interchange Profile (AIP)', 'b', 'ICC', 2, 2],
  ['83', 'Command Template', 'b', 'Terminal'],
  ['84', 'Dedicated File (DF) Name', 'b', 'ICC', 5, 16],
  ['86', 'Issuer Script Command', 'b', 'Issuer', U, 261],
  ['87', 'Application Priority Indicator', 'b', 'ICC', 1, 1],
  ['88', 'Short File Identifier (SFI)', 'b', 'ICC', 1, 1],
  ['89', 'Authorisation Code', 'ans', 'Issuer', 6, 6], // format left to the payment system; M/Chip and VCPS: ans 6
  ['8A', 'Authorisation Response Code', 'an', 'Issuer', 2, 2],
  ['8C', 'Card Risk Management Data Object List 1 (CDOL1)', 'b', 'ICC', U, 252],
  ['8D', 'Card Risk Management Data Object List 2 (CDOL2)', 'b', 'ICC', U, 252],
  ['8E', 'Cardholder Verification Method (CVM) List', 'b', 'ICC', 10, 252],
  ['8F', 'Certification Authority Public Key Index (ICC)', 'b', 'ICC', 1, 1],
  ['90', 'Issuer Public Key Certificate', 'b', 'ICC'],
  ['91', 'Issuer Authentication Data', 'b', 'Issuer', 8, 16],
  ['92', 'Issuer Public Key Remainder', 'b', 'ICC'],
  ['93', 'Signed Static Application Data (SSAD)', 'b', 'ICC'],
  ['94', 'Application File Locator (AFL)', 'var', 'ICC', U, 252],
  ['95', 'Terminal Verification Results (TVR)', 'b', 'Terminal', 5, 5],
  ['97', 'Transaction Certificate Data Object List (TDOL)', 'b', 'ICC', U, 252],
  ['98', 'Transaction Certificate (TC) Hash Value', 'b', 'Terminal', 20, 20],
  ['99', 'Transaction Personal Identification Number (PIN) Data', 'b', 'Terminal', U, U, 'S'],
  ['9A', 'Transaction Date', 'n', 'Terminal', 3, 3],
  ['9B', 'Transaction Status Information (TSI)', 'b', 'Terminal', 2, 2],
  ['9C', 'Transaction Type', 'n', 'Terminal', 1, 1],
  ['9D', 'Directory Definition File (DDF) Name', 'b', 'ICC', 5, 16],
  ['A5', 'File Control Information (FCI) Proprietary Template', 'var', 'ICC', U, U, 'T'],
  // ---- EMV 4.4 Book 3 Annex A: 5Fxx ----
  ['5F20', 'Cardholder Name', 'ans', 'ICC', 2, 26],
  ['5F24', 'Application Expiration Date', 'n', 'ICC', 3, 3],
  ['5F25', 'Application Effective Date', 'n', 'ICC', 3, 3],
  ['5F28', 'Issuer Country Code', 'n', 'ICC', 2, 2],
  ['5F2A', 'Transaction Currency Code', 'n', 'Terminal', 2, 2],
  ['5F2D', 'Language Preference', 'an', 'ICC', 2, 8],
  ['5F30', 'Service Code', 'n', 'ICC', 2, 2],
  ['5F34', 'Application PAN Sequence Number', 'n', 'ICC', 1, 1],
  ['5F36', 'Transaction Currency Exponent', 'n', 'Terminal', 1, 1],
  ['5F50', 'Issuer URL', 'ans', 'ICC'],
  ['5F53', 'International Bank Account Number (IBAN)', 'var', 'ICC', U, 34],
  ['5F54', 'Bank Identifier Code (BIC)', 'var', 'ICC', 8, 11],
  ['5F55', 'Issuer Country Code (alpha2 format)', 'a', 'ICC', 2, 2],
  ['5F56', 'Issuer Country Code (alpha3 format)', 'a', 'ICC', 3, 3],
  ['5F57', 'Account Type', 'n', 'Terminal', 1, 1],
  // ---- EMV 4.4 Book 3 Annex A: 9Fxx ----
  ['9F01', 'Acquirer Identifier', 'n', 'Terminal', 6, 6],
  ['9F02', 'Amount, Authorised (Numeric)', 'n', 'Terminal', 6, 6],
  ['9F03', 'Amount, Other (Numeric)', 'n', 'Terminal', 6, 6],
  ['9F04', 'Amount, Other (Binary)', 'b', 'Terminal', 4, 4],
  ['9F05', 'Application Discretionary Data', 'b', 'ICC', 1, 32],
  ['9F06', 'Application Identifier (AID) - terminal', 'b', 'Terminal', 5, 16],
  ['9F07', 'Application Usage Control', 'b', 'ICC', 2, 2],
  ['9F08', 'Application Version Number (ICC)', 'b', 'ICC', 2, 2],
  ['9F09', 'Application Version Number (terminal)', 'b', 'Terminal', 2, 2],
  ['9F0A', 'Application Selection Registered Proprietary Data (ASRPD)', 'b', 'ICC'],
  ['9F0B', 'Cardholder Name Extended', 'ans', 'ICC', 27, 45],
  ['9F0C', 'Issuer Identification Number Extended (IINE)', 'n', 'ICC'],
  ['9F0D', 'Issuer Action Code - Default', 'b', 'ICC', 5, 5],
  ['9F0E', 'Issuer Action Code - Denial', 'b', 'ICC', 5, 5],
  ['9F0F', 'Issuer Action Code - Online', 'b', 'ICC', 5, 5],
  ['9F10', 'Issuer Application Data (IAD)', 'b', 'ICC', U, 32], // CCD format: Book 3 Annex C7; Visa/M-Chip formats are proprietary
  ['9F11', 'Issuer Code Table Index', 'n', 'ICC', 1, 1],
  ['9F12', 'Application Preferred Name', 'ans', 'ICC', 1, 16],
  ['9F13', 'Last Online Application Transaction Counter (ATC) Register', 'b', 'ICC', 2, 2],
  ['9F14', 'Lower Consecutive Offline Limit', 'b', 'ICC', 1, 1],
  ['9F15', 'Merchant Category Code', 'n', 'Terminal', 2, 2],
  ['9F16', 'Merchant Identifier', 'ans', 'Terminal', 15, 15],
  ['9F17', 'Personal Identification Number (PIN) Try Counter', 'b', 'ICC', 1, 1],
  ['9F18', 'Issuer Script Identifier', 'b', 'Issuer', 4, 4],
  ['9F19', 'Token Requestor ID', 'n', 'ICC', 6, 6],
  ['9F1A', 'Terminal Country Code', 'n', 'Terminal', 2, 2],
  ['9F1B', 'Terminal Floor Limit', 'b', 'Terminal', 4, 4],
  ['9F1C', 'Terminal Identification', 'an', 'Terminal', 8, 8],
  ['9F1D', 'Terminal Risk Management Data', 'b', 'Terminal', 1, 8],
  ['9F1E', 'Interface Device (IFD) Serial Number', 'an', 'Terminal', 8, 8],
  ['9F1F', 'Track 1 Discretionary Data', 'ans', 'ICC', U, U, 'S'],
  ['9F20', 'Track 2 Discretionary Data', 'cn', 'ICC', U, U, 'S'],
  ['9F21', 'Transaction Time', 'n', 'Terminal', 3, 3],
  ['9F22', 'Certification Authority Public Key Index (terminal)', 'b', 'Terminal', 1, 1],
  ['9F23', 'Upper Consecutive Offline Limit', 'b', 'ICC', 1, 1],
  ['9F24', 'Payment Account Reference (PAR)', 'an', 'ICC', 29, 29],
  ['9F25', 'Last 4 Digits of PAN', 'n', 'ICC', 2, 2],
  ['9F26', 'Application Cryptogram', 'b', 'ICC', 8, 8],
  ['9F27', 'Cryptogram Information Data', 'b', 'ICC', 1, 1],
  ['9F2D', 'ICC PIN Encipherment Public Key Certificate', 'b', 'ICC'],
  ['9F2E', 'ICC PIN Encipherment Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F2F', 'ICC PIN Encipherment Public Key Remainder', 'b', 'ICC'],
  ['9F30', 'Biometric Terminal Capabilities', 'b', 'Terminal', 3, 3],
  ['9F32', 'Issuer Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F33', 'Terminal Capabilities', 'b', 'Terminal', 3, 3],
  ['9F34', 'Cardholder Verification Method (CVM) Results', 'b', 'Terminal', 3, 3],
  ['9F35', 'Terminal Type', 'n', 'Terminal', 1, 1],
  ['9F36', 'Application Transaction Counter (ATC)', 'b', 'ICC', 2, 2],
  ['9F37', 'Unpredictable Number', 'b', 'Terminal', 4, 4],
  ['9F38', 'Processing Options Data Object List (PDOL)', 'b', 'ICC'],
  ['9F39', 'Point-of-Service (POS) Entry Mode', 'n', 'Terminal', 1, 1],
  ['9F3A', 'Amount, Reference Currency', 'b', 'Terminal', 4, 4],
  ['9F3B', 'Application Reference Currency', 'n', 'ICC', 2, 8],
  ['9F3C', 'Transaction Reference Currency Code', 'n', 'Terminal', 2, 2],
  ['9F3D', 'Transaction Reference Currency Exponent', 'n', 'Terminal', 1, 1],
  ['9F40', 'Additional Terminal Capabilities', 'b', 'Terminal', 5, 5],
  ['9F41', 'Transaction Sequence Counter', 'n', 'Terminal', 2, 4],
  ['9F42', 'Application Currency Code', 'n', 'ICC', 2, 2],
  ['9F43', 'Application Reference Currency Exponent', 'n', 'ICC', 1, 4],
  ['9F44', 'Application Currency Exponent', 'n', 'ICC', 1, 1],
  ['9F45', 'Data Authentication Code', 'b', 'ICC', 2, 2],
  ['9F46', 'ICC Public Key Certificate', 'b', 'ICC'],
  ['9F47', 'ICC Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F48', 'ICC Public Key Remainder', 'b', 'ICC'],
  ['9F49', 'Dynamic Data Authentication Data Object List (DDOL)', 'b', 'ICC', U, 252],
  ['9F4A', 'Static Data Authentication Tag List', 'var', 'ICC'],
  ['9F4B', 'Signed Dynamic Application Data (SDAD)', 'b', 'ICC'],
  ['9F4C', 'ICC Dynamic Number', 'b', 'ICC', 2, 8],
  ['9F4D', 'Log Entry', 'b', 'ICC', 2, 2],
  ['9F4E', 'Merchant Name and Location', 'ans', 'Terminal'],
  ['9F4F', 'Log Format', 'b', 'ICC'],
  // ---- EMV 4.4 Book 3 Annex A: templates (incl. biometric, Book 3 §10.5 / Annex A) ----
  ['7F60', 'Biometric Information Template (BIT)', 'var', 'ICC/Terminal', U, U, 'T'],
  ['BF0C', 'File Control Information (FCI) Issuer Discretionary Data', 'var', 'ICC', U, 222, 'T'],
  ['BF4C', 'Biometric Try Counters Template', 'var', 'ICC', U, U, 'T'],
  ['BF4D', 'Preferred Attempts Template', 'var', 'ICC', U, U, 'T'],
  ['BF4E', 'Biometric Verification Data Template', 'var', 'Terminal', U, U, 'T'],
  // ---- EMV Contactless Books A/B (Entry Point) ----
  ['9F29', 'Extended Selection', 'b', 'ICC'],
  ['9F2A', 'Kernel Identifier', 'b', 'ICC', 1, 8],
  ['9F66', 'Terminal Transaction Qualifiers (TTQ) / PUNATC(Track2) (Mastercard)', 'b', 'ICC/Terminal', 2, 4],
  // ---- Scheme tags (Books C-2 Mastercard, C-3 Visa / VCPS, C-4 Amex) ----
  ['56', 'Track 1 Data', 'ans', 'ICC', U, 76, 'S'],
  ['9F53', 'Transaction Category Code (Mastercard)', 'an', 'Terminal', 1, 1],
  ['9F5A', 'Application Program Identifier (Visa)', 'b', 'ICC'],
  ['9F5B', 'Issuer Script Results', 'b', 'Terminal'], // Book 3 gives no tag; 9F5B is the common terminal/Visa convention
  ['9F5D', 'Available Offline Spending Amount (Visa) / Application Capabilities Information (Mastercard)', 'b', 'ICC', 3, 6],
  ['9F60', 'CVC3 (Track1) (Mastercard)', 'b', 'ICC', 2, 2],
  ['9F61', 'CVC3 (Track2) (Mastercard)', 'b', 'ICC', 2, 2],
  ['9F62', 'PCVC3(Track1) (Mastercard)', 'b', 'ICC', 6, 6],
  ['9F63', 'PUNATC(Track1) (Mastercard) / Offline Counter Initial Value (Visa)', 'b', 'ICC', 1, 6],
  ['9F64', 'NATC(Track1) (Mastercard)', 'b', 'ICC', 1, 1],
  ['9F65', 'PCVC3(Track2) (Mastercard)', 'b', 'ICC', 2, 2],
  ['9F67', 'NATC(Track2) (Mastercard) / Form Factor (Amex)', 'b', 'ICC', 1, 3],
  ['9F69', 'Card Authentication Related Data (Visa) / UDOL (Mastercard)', 'b', 'ICC'],
  ['9F6A', 'Unpredictable Number (Numeric) (Mastercard)', 'n', 'Terminal', 4, 4],
  ['9F6B', 'Track 2 Data (Mastercard) / Card CVM Limit (Visa)', 'b', 'ICC', U, 19, 'S'],
  ['9F6C', 'Card Transaction Qualifiers (CTQ) (Visa) / Mag-stripe Application Version Number (Card) (Mastercard)', 'b', 'ICC', 2, 2],
  ['9F6D', 'Mag-stripe Application Version Number (Reader) (Mastercard) / Contactless Reader Capabilities (Amex)', 'b', 'Terminal', 1, 2],
  ['9F6E', 'Form Factor Indicator (Visa) / Third Party Data (Mastercard) / Enhanced Contactless Reader Capabilities (Amex)', 'b', 'ICC/Terminal', 4, 32],
  ['9F74', 'VLP Issuer Authorisation Code (Visa)', 'a', 'ICC', 6, 6],
  ['9F7C', 'Customer Exclusive Data (Visa) / Merchant Custom Data (Mastercard)', 'b', 'ICC/Terminal', U, 32],
  ['9F7E', 'Mobile Support Indicator (Mastercard)', 'b', 'Terminal', 1, 1],
  // ---- EMV Contactless Book C-2 (Mastercard kernel 2) proprietary data objects ----
  ['DF8104', 'Balance Read Before Gen AC (Mastercard)', 'n', 'ICC', 6, 6],
  ['DF8105', 'Balance Read After Gen AC (Mastercard)', 'n', 'ICC', 6, 6],
  ['DF8106', 'Data Needed (Mastercard)', 'b', 'Terminal'],
  ['DF8107', 'CDOL1 Related Data (Mastercard)', 'b', 'Terminal'],
  ['DF810C', 'Kernel ID (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8111', 'PDOL Related Data (Mastercard)', 'b', 'Terminal'],
  ['DF8112', 'Tags To Read (Mastercard)', 'b', 'Terminal'],
  ['DF8114', 'Reference Control Parameter (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8115', 'Error Indication (Mastercard)', 'b', 'Terminal', 6, 6],
  ['DF8116', 'User Interface Request Data (Mastercard)', 'b', 'Terminal', 22, 22],
  ['DF8117', 'Card Data Input Capability (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8118', 'CVM Capability - CVM Required (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8119', 'CVM Capability - No CVM Required (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF811A', 'Default UDOL (Mastercard)', 'b', 'Terminal'],
  ['DF811B', 'Kernel Configuration (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF811C', 'Max Lifetime of Torn Transaction Log Record (Mastercard)', 'b', 'Terminal', 2, 2],
  ['DF811D', 'Max Number of Torn Transaction Log Records (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF811E', 'Mag-stripe CVM Capability - CVM Required (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF811F', 'Security Capability (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8120', 'Terminal Action Code - Default (Mastercard)', 'b', 'Terminal', 5, 5],
  ['DF8121', 'Terminal Action Code - Denial (Mastercard)', 'b', 'Terminal', 5, 5],
  ['DF8122', 'Terminal Action Code - Online (Mastercard)', 'b', 'Terminal', 5, 5],
  ['DF8123', 'Reader Contactless Floor Limit (Mastercard)', 'n', 'Terminal', 6, 6],
  ['DF8124', 'Reader Contactless Transaction Limit (No On-device CVM) (Mastercard)', 'n', 'Terminal', 6, 6],
  ['DF8125', 'Reader Contactless Transaction Limit (On-device CVM) (Mastercard)', 'n', 'Terminal', 6, 6],
  ['DF8126', 'Reader CVM Required Limit (Mastercard)', 'n', 'Terminal', 6, 6],
  ['DF8127', 'Time Out Value (Mastercard)', 'b', 'Terminal', 2, 2],
  ['DF8129', 'Outcome Parameter Set (Mastercard)', 'b', 'Terminal', 8, 8],
  ['DF812C', 'Mag-stripe CVM Capability - No CVM Required (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF812D', 'Message Hold Time (Mastercard)', 'n', 'Terminal', 3, 3],
  ['DF8130', 'Hold Time Value (Mastercard)', 'b', 'Terminal', 1, 1],
  ['DF8131', 'Phone Message Table (Mastercard)', 'b', 'Terminal'],
  ['FF8101', 'Torn Record (Mastercard)', 'var', 'Terminal', U, U, 'T'],
  ['FF8102', 'Tags To Write Before Gen AC (Mastercard)', 'var', 'Terminal', U, U, 'T'],
  ['FF8103', 'Tags To Write After Gen AC (Mastercard)', 'var', 'Terminal', U, U, 'T'],
  ['FF8104', 'Data To Send (Mastercard)', 'var', 'Terminal', U, U, 'T'],
  ['FF8105', 'Data Record (Mastercard)', 'var', 'Terminal', U, U, 'T'],
  ['FF8106', 'Discretionary Data (Mastercard)', 'var', 'Terminal', U, U, 'T'],
];

function toInfo([tag, name, format, source, min, max, flag]: Row): TagInfo {
  return Object.freeze({
    tag, name, format, source,
    ...(min !== undefined ? { minLength: min } : {}),
    ...(max !== undefined ? { maxLength: max } : {}),
    ...(flag === 'T' ? { template: true } : {}),
    ...(flag === 'S' ? { sensitive: true } : {}),
  });
}

/** The whole dictionary, keyed by uppercase hex tag. */
export const EMV_TAGS: ReadonlyMap<string, TagInfo> = new Map(ROWS.map((row) => [row[0], toInfo(row)]));

/** Looks up a tag given as hex string (any case) or number (e.g. 0x9F26); undefined when unknown. */
export function lookupTag(tag: string | number): TagInfo | undefined {
  if (typeof tag === 'number') {
    if (!Number.isSafeInteger(tag) || tag < 0) return undefined;
    const hex = tag.toString(16).toUpperCase();
    return EMV_TAGS.get(hex.length % 2 === 1 ? `0${hex}` : hex);
  }
  return EMV_TAGS.get(tag.replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase());
}
