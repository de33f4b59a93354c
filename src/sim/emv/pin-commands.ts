// Offline PIN: VERIFY (EMV Book 3 §6.5.12) in plaintext and enciphered (Book 2 §7), GET CHALLENGE (§6.5.6).
import type { CommandApdu } from '../../apdu/command-apdu.js';
import { bytesEqual } from '../../apdu/hex.js';
import { rsaSign } from '../../crypto/rsa.js';
import type { AppState } from './card-state.js';
import { reply, selectedApp, status, SW, type CardContext } from './card-context.js';

/** Length of the card's challenge (Book 3 §6.5.6: an 8-byte unpredictable number). */
export const CHALLENGE_LENGTH = 8;

/** GET CHALLENGE: 8 fresh random bytes, kept for one enciphered PIN VERIFY. */
export function getChallenge(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.WRONG_P1P2);
  if (cmd.data.length !== 0 || (cmd.ne !== CHALLENGE_LENGTH && cmd.ne !== 256)) return status(SW.WRONG_LENGTH);
  const challenge = ctx.random(CHALLENGE_LENGTH);
  ctx.session.challenge = challenge;
  return reply(challenge);
}

/** The PIN digits of an ISO 9564 format 2 block (2N PIN F…, Book 3 §6.5.12.2), or null when malformed. */
export function pinOfBlock(block: Uint8Array): string | null {
  if (block.length !== 8 || block[0] >> 4 !== 0x2) return null;
  const len = block[0] & 0x0f;
  const nibbles = Array.from(block.subarray(1), (b) => [b >> 4, b & 0x0f]).flat();
  if (len < 4 || len > 12) return null;
  const digits = nibbles.slice(0, len);
  if (digits.some((d) => d > 9) || nibbles.slice(len).some((d) => d !== 0x0f)) return null;
  return digits.join('');
}

/** Checks a presented PIN against the cardholder's, keeping the try counter (63Cx wrong, 6983 blocked). */
function presentPin(ctx: CardContext, app: AppState, pin: string | null): Uint8Array {
  ctx.session.offlinePinPerformed = true;
  if (pin === ctx.profile.pin) {
    app.pinTries = app.image.profile.pinTryLimit;
    ctx.session.offlinePinFailed = false;
    return status(SW.OK);
  }
  ctx.session.offlinePinFailed = true;
  app.pinTries = Math.max(0, app.pinTries - 1);
  return status(0x63c0 | app.pinTries);
}

/**
 * VERIFY: P2 80 a plaintext PIN block (8 bytes); P2 88 the block enciphered under the ICC key (Book 2 §7.2:
 * 7F || PIN block || the GET CHALLENGE number || random pad), usable once per challenge. No data: the tries left
 * (63Cx). A block that is not a format 2 PIN block is 6A80 (no try is counted); a wrong header or challenge after
 * decipherment counts as a wrong PIN. No tries left: 6983.
 */
export function verify(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if (cmd.p1 !== 0 || (cmd.p2 !== 0x80 && cmd.p2 !== 0x88)) return status(SW.WRONG_P1P2);
  const app = selectedApp(ctx);
  if (!app || (ctx.session.phase !== 'selected' && ctx.session.phase !== 'initiated')) return status(SW.CONDITIONS_NOT_SATISFIED);
  if (app.pinTries === 0) return status(SW.AUTH_METHOD_BLOCKED);
  if (cmd.data.length === 0) return status(0x63c0 | app.pinTries);
  if (cmd.p2 === 0x80) {
    if (cmd.data.length !== 8) return status(SW.WRONG_LENGTH);
    const pin = pinOfBlock(cmd.data);
    return pin === null ? status(SW.WRONG_DATA) : presentPin(ctx, app, pin);
  }
  const key = app.image.iccKey;
  if (!key) return status(SW.WRONG_P1P2); // no ICC PIN encipherment key: enciphered PIN is not supported
  if (cmd.data.length !== key.modulus.length) return status(SW.WRONG_LENGTH);
  const challenge = ctx.session.challenge;
  ctx.session.challenge = null;
  if (!challenge) return status(SW.CONDITIONS_NOT_SATISFIED);
  let plain: Uint8Array;
  try {
    plain = rsaSign(key, cmd.data); // raw RSA with the private exponent: decipherment (Book 2 §7.2)
  } catch {
    return status(SW.WRONG_DATA); // not smaller than the modulus: not an enciphered block at all
  }
  const valid = plain[0] === 0x7f && bytesEqual(plain.subarray(9, 17), challenge);
  return presentPin(ctx, app, valid ? pinOfBlock(plain.subarray(1, 9)) : null);
}
