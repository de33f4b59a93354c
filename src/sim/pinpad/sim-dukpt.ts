// The simulators' DUKPT keys and PIN block helpers, shared by the PIN pad emulator, the simulated PIN entry and the
// host simulator. The BDKs are the standards' published TEST keys, never for real use:
//   TDES: BDK 0123456789ABCDEFFEDCBA9876543210, initial KSN FFFF9876543210E00000 (ANSI X9.24-1:2009 Annex A.4)
//   AES:  BDK FEDCBA9876543210F1F1F1F1F1F1F1F1 (AES-128), initial key ID 1234567890123456
//         (ANSI X9.24-3:2017 supplement test vectors)
import { fromHex } from '../../apdu/hex.js';
import { AES_KSN_LENGTH, AES_MAX_COUNTER_BITS, deriveAesPinKeyFromBdk } from '../../crypto/dukpt-aes.js';
import { bitCount, deriveTdesPinKeyFromBdk, TDES_KSN_LENGTH, TDES_MAX_COUNTER_BITS, tdesDecryptPinBlock, tdesEncryptPinBlock } from '../../crypto/dukpt-tdes.js';
import { DukptError } from '../../crypto/dukpt-errors.js';
import { decipherFormat4, decodeFormat0, encipherFormat4, encodeFormat0 } from '../../crypto/pin-block.js';
import type { KeyScheme } from '../../drivers/pinpad/serial-pinpad-messages.js';

/** X9.24-1:2009 Annex A.4 test BDK (double-length TDES). */
export const SIM_TDES_BDK = '0123456789ABCDEFFEDCBA9876543210';
/** X9.24-1:2009 Annex A.4 test KSN with the counter at 0. */
export const SIM_TDES_INITIAL_KSN = 'FFFF9876543210E00000';
/** X9.24-3:2017 supplement test BDK (AES-128). */
export const SIM_AES_BDK = 'FEDCBA9876543210F1F1F1F1F1F1F1F1';
/** X9.24-3:2017 supplement initial key ID 1234567890123456 with the counter at 0. */
export const SIM_AES_INITIAL_KSN = '123456789012345600000000';

/** The simulator BDK that matches a KSN's length: 10 bytes TDES, 12 bytes AES; null for any other length. */
export function simBdkForKsn(ksn: Uint8Array): { readonly scheme: KeyScheme; readonly bdk: Uint8Array } | null {
  if (ksn.length === TDES_KSN_LENGTH) return { scheme: 'tdes-dukpt', bdk: fromHex(SIM_TDES_BDK) };
  if (ksn.length === AES_KSN_LENGTH) return { scheme: 'aes-dukpt', bdk: fromHex(SIM_AES_BDK) };
  return null;
}

/**
 * A device's KSN register: each `next()` is the KSN of the next transaction. Counters with more set bits than the
 * standard allows (10 for TDES, X9.24-1 §A.2; 16 for AES, X9.24-3 §6.1) are skipped, as a device does.
 */
export class KsnCounter {
  private counter = 0;
  private readonly base: Uint8Array;

  /** Starts at the initial KSN (its counter bits are taken as the starting count). */
  constructor(
    readonly scheme: KeyScheme,
    initialKsn: Uint8Array,
  ) {
    const want = scheme === 'tdes-dukpt' ? TDES_KSN_LENGTH : AES_KSN_LENGTH;
    if (initialKsn.length !== want) throw new DukptError('KSN_INVALID', `a ${scheme} KSN is ${want} bytes`, { length: initialKsn.length });
    this.base = Uint8Array.from(initialKsn);
    if (scheme === 'tdes-dukpt') {
      this.counter = ((initialKsn[7] & 0x1f) << 16) | (initialKsn[8] << 8) | initialKsn[9];
      this.base[7] &= 0xe0;
      this.base[8] = 0;
      this.base[9] = 0;
    } else {
      this.counter = new DataView(initialKsn.buffer, initialKsn.byteOffset).getUint32(8);
      this.base.fill(0, 8);
    }
  }

  /** The KSN the next `next()` returns, without using it. */
  peek(): Uint8Array {
    return this.ksnOf(this.following(this.counter));
  }

  /** The next transaction's KSN. */
  next(): Uint8Array {
    this.counter = this.following(this.counter);
    return this.ksnOf(this.counter);
  }

  private following(c: number): number {
    const max = this.scheme === 'tdes-dukpt' ? TDES_MAX_COUNTER_BITS : AES_MAX_COUNTER_BITS;
    const limit = this.scheme === 'tdes-dukpt' ? 0x1fffff : 0xffffffff;
    let n = c + 1;
    while (n <= limit && bitCount(n) > max) n++;
    if (n > limit) throw new DukptError('KSN_COUNTER_INVALID', 'the DUKPT device is exhausted', { counter: c });
    return n;
  }

  private ksnOf(c: number): Uint8Array {
    const k = Uint8Array.from(this.base);
    if (this.scheme === 'tdes-dukpt') {
      k[7] |= (c >> 16) & 0x1f;
      k[8] = (c >> 8) & 0xff;
      k[9] = c & 0xff;
    } else {
      new DataView(k.buffer).setUint32(8, c >>> 0);
    }
    return k;
  }
}

/** Encrypts a PIN for the host: format 0 under the TDES DUKPT PIN key, or format 4 under the AES DUKPT PIN key. */
export function encryptOnlinePin(scheme: KeyScheme, bdk: Uint8Array, ksn: Uint8Array, pin: string, pan: string): { readonly format: 0 | 4; readonly block: Uint8Array } {
  if (scheme === 'tdes-dukpt') return { format: 0, block: tdesEncryptPinBlock(deriveTdesPinKeyFromBdk(bdk, ksn), encodeFormat0(pin, pan)) };
  return { format: 4, block: encipherFormat4(deriveAesPinKeyFromBdk(bdk, ksn), pin, pan) };
}

/** The host side: the PIN of an encrypted block (DukptError PIN_BLOCK_INVALID when it does not decode). */
export function decryptOnlinePin(bdk: Uint8Array, ksn: Uint8Array, block: Uint8Array, pan: string): string {
  if (ksn.length === TDES_KSN_LENGTH) return decodeFormat0(tdesDecryptPinBlock(deriveTdesPinKeyFromBdk(bdk, ksn), block), pan);
  if (ksn.length === AES_KSN_LENGTH) return decipherFormat4(deriveAesPinKeyFromBdk(bdk, ksn), block, pan);
  throw new DukptError('KSN_INVALID', 'a KSN is 10 (TDES) or 12 (AES) bytes', { length: ksn.length });
}
