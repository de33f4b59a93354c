import { bytesEqual } from '../../apdu/hex.js';
import { sha1 } from '../../crypto/rsa.js';
import type { CaPublicKey } from './types.js';

/** SHA-1 over RID || index || modulus || exponent: the CA public key checksum (EMV Book 2 §11, CA public key management). */
export function caKeyChecksum(ca: CaPublicKey): Uint8Array {
  return sha1(ca.rid, Uint8Array.of(ca.index & 0xff), ca.modulus, ca.exponent);
}

/** True when the key carries a checksum and it matches the key's fields; false when absent or wrong. */
export function verifyCaKeyChecksum(ca: CaPublicKey): boolean {
  return ca.checksum !== undefined && bytesEqual(caKeyChecksum(ca), ca.checksum);
}
