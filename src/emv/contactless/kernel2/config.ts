// Kernel 2's configuration (EMV Contactless Book C-2 Annex A): the CVM capabilities that replace Terminal
// Capabilities (9F33) byte 2 for the transaction, and "on device cardholder verification supported" of the Kernel
// Configuration (DF811B). Defaults for an attended European shop reader.
import { EmvError } from '../../errors.js';
import type { Kernel2Config } from '../types.js';

/** Above the CVM limit: online PIN and signature (9F33 byte 2 b7, b6); at or below: no CVM (b4) — Book 3 Annex A2 bits. */
export const KERNEL2_DEFAULTS: Kernel2Config = {
  cvmCapabilityCvmRequired: '60',
  cvmCapabilityNoCvmRequired: '08',
  onDeviceCvm: true,
};

/** 9F33 byte 2 bit "enciphered PIN for online verification". */
export const CAP_ONLINE_PIN = 0x40;

/** The CVM capability byte for this transaction: the "CVM required" one above the limit, without online PIN when the reader has no PIN pad. */
export function cvmCapability(config: Kernel2Config, cvmRequired: boolean, onlinePinCapable: boolean): number {
  const hex = cvmRequired ? config.cvmCapabilityCvmRequired : config.cvmCapabilityNoCvmRequired;
  if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new EmvError('EMV_CONFIG_INVALID', 'cvm', `Kernel 2 CVM capability must be 1 byte hex, got '${hex}'`);
  const byte = Number.parseInt(hex, 16);
  return onlinePinCapable ? byte : byte & ~CAP_ONLINE_PIN & 0xff;
}
