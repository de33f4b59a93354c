import { randomBytes } from 'node:crypto';
import type { CardChannel } from '../../apdu/card-channel.js';
import { CommandApdu } from '../../apdu/command-apdu.js';
import { concatBytes, fromHex, toHex } from '../../apdu/hex.js';
import { ResponseApdu } from '../../apdu/response-apdu.js';
import { bigIntToBytes, bytesToBigInt } from '../../crypto/bytes.js';
import { modPow } from '../../crypto/rsa.js';
import type { OnlinePinResult, PinEntry, PinOutcome, PinPrompt } from '../../emv/types.js';
import { encryptOnlinePin, KsnCounter, SIM_TDES_BDK, SIM_TDES_INITIAL_KSN } from './sim-dukpt.js';

/** Where the simulated PIN pad gets the PIN: the test, the demo page or stdin; null means the cardholder cancelled. */
export type PinSupplier = (prompt: PinPrompt) => Promise<string | null>;

/** The ISO 9564 format 2 plaintext PIN block used by VERIFY (EMV Book 3 §6.5.12): 2N PPPP…F. */
export function plaintextPinBlock(pin: string): Uint8Array {
  if (!/^\d{4,12}$/.test(pin)) throw new RangeError('a PIN has 4 to 12 digits');
  const hex = `2${pin.length.toString(16).toUpperCase()}${pin}`.padEnd(16, 'F');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

function outcomeOf(sw: number): PinOutcome {
  if (sw === 0x9000) return { kind: 'verified' };
  if ((sw & 0xfff0) === 0x63c0) return { kind: 'wrong', triesLeft: sw & 0x0f };
  if (sw === 0x6983 || sw === 0x6984) return { kind: 'blocked' };
  return { kind: 'unavailable' };
}

/**
 * A PIN pad in software implementing the kernel's PinEntry: it takes the PIN from a supplier and talks to the card
 * itself (VERIFY), as a secure PIN pad would. For tests, the demo and `emv pay --pin-stdin`.
 */
export class SimulatedPinEntry implements PinEntry {
  private readonly ksn = new KsnCounter('tdes-dukpt', fromHex(SIM_TDES_INITIAL_KSN));

  /** Builds the pad around its PIN source. */
  constructor(private readonly supplier: PinSupplier) {}

  /** VERIFY with a plaintext PIN block (P2=80). */
  async verifyOfflinePlaintext(channel: CardChannel, prompt: PinPrompt): Promise<PinOutcome> {
    const pin = await this.supplier(prompt);
    if (pin === null) return { kind: 'cancelled' };
    const r = ResponseApdu.parse(await channel.transmit(CommandApdu.verify(0x80, plaintextPinBlock(pin)).encode()));
    return outcomeOf(r.sw);
  }

  /** GET CHALLENGE, then VERIFY (P2=88) with the PIN block enciphered under the ICC key (EMV Book 2 §7.2). */
  async verifyOfflineEnciphered(channel: CardChannel, prompt: PinPrompt, key: { modulus: Uint8Array; exponent: Uint8Array }): Promise<PinOutcome> {
    const pin = await this.supplier(prompt);
    if (pin === null) return { kind: 'cancelled' };
    const ch = ResponseApdu.parse(await channel.transmit(CommandApdu.getChallenge().encode()));
    if (!ch.isOk || ch.data.length !== 8) return { kind: 'unavailable' };
    const n = key.modulus.length;
    const block = concatBytes(Uint8Array.of(0x7f), plaintextPinBlock(pin), ch.data, new Uint8Array(randomBytes(n - 17)));
    const enciphered = bigIntToBytes(modPow(bytesToBigInt(block), bytesToBigInt(key.exponent), bytesToBigInt(key.modulus)), n);
    const r = ResponseApdu.parse(await channel.transmit(CommandApdu.verify(0x88, enciphered).encode()));
    return outcomeOf(r.sw);
  }

  /**
   * An ISO 9564-1 format 0 PIN block under TDES DUKPT (ANSI X9.24-1) from the X9.24-1 test BDK, with its KSN: the
   * host simulator derives the same key and checks the PIN against the card profile.
   */
  async onlinePin(prompt: PinPrompt & { readonly pan: string }): Promise<OnlinePinResult> {
    const pin = await this.supplier(prompt);
    if (pin === null) return { kind: 'cancelled' };
    const ksn = this.ksn.next();
    const { format, block } = encryptOnlinePin('tdes-dukpt', fromHex(SIM_TDES_BDK), ksn, pin, prompt.pan);
    return { kind: 'pin', pin: { format, block: toHex(block), ksn: toHex(ksn) } };
  }
}
