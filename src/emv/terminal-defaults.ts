import { DEFAULT_TERMINAL_ID } from '../config/terminal-identity.js';
import type { AidConfig, CaPublicKeyConfig, TerminalConfig } from './types.js';

/** A scheme application with the action codes acquirers commonly configure (per-acquirer values belong in config). */
function app(aid: string, version: string, tac: [string, string, string], partialSelection = true): AidConfig {
  return {
    aid,
    partialSelection,
    applicationVersion: version,
    tacDenial: tac[0],
    tacOnline: tac[1],
    tacDefault: tac[2],
    floorLimit: 0,
    targetPercent: 0,
    maxTargetPercent: 0,
    thresholdValue: 0,
    defaultDdol: '9F3704',
    defaultTdol: '',
  };
}

const VISA_TAC: [string, string, string] = ['0010000000', 'DC4004F800', 'DC4000A800'];
const MC_TAC: [string, string, string] = ['0000000000', 'FE50BCF800', 'FE50BCA000'];

/** The applications a European shop terminal usually accepts (AIDs from the schemes' public registrations). */
export const DEFAULT_APPLICATIONS: readonly AidConfig[] = [
  app('A0000000031010', '008C', VISA_TAC), // Visa credit/debit
  app('A0000000032010', '008C', VISA_TAC), // Visa Electron
  app('A0000000032020', '008C', VISA_TAC), // V PAY
  app('A0000000041010', '0002', MC_TAC), // Mastercard
  app('A0000000043060', '0002', MC_TAC), // Maestro
  app('A0000000421010', '0001', VISA_TAC), // Cartes Bancaires
  app('A00000002501', '0001', MC_TAC), // American Express
  app('A0000001523010', '0001', MC_TAC), // Discover
  app('A0000000651010', '0200', MC_TAC), // JCB
];

/**
 * A terminal configuration for an attended, online-capable shop terminal with offline capability (9F35 = 22):
 * IC, magstripe and key entry; offline plaintext and enciphered PIN, online PIN, signature, no CVM; SDA, DDA, CDA.
 * `caKeys` must be given: the schemes' published keys, or the simulator's test CA.
 */
export function defaultTerminalConfig(caKeys: readonly CaPublicKeyConfig[], overrides: Partial<TerminalConfig> = {}): TerminalConfig {
  return {
    terminalType: 0x22,
    capabilities: 'E0F8C8',
    additionalCapabilities: '6000F0A001',
    countryCode: '0250',
    terminalId: DEFAULT_TERMINAL_ID, // the daemon passes the configured one
    ifdSerial: 'PB000001',
    merchantCategoryCode: '5411',
    usePse: true,
    onlineCapable: true,
    ttq: '36004000',
    applications: DEFAULT_APPLICATIONS,
    caKeys,
    ...overrides,
  };
}
