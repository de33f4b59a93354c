// Error wording: every API error code (src/api/errors.ts), the client's own codes and the payment failure reasons,
// as a plain sentence and what to do next. The daemon's message is kept as a detail for the curious.
import { PosbridgeApiError, type PaymentInfo } from '../client.js';

/** What went wrong and what to do next, in plain words. */
export interface Explained {
  readonly text: string;
  readonly next: string;
  readonly detail?: string;
}

const API_WORDS: Readonly<Record<string, Omit<Explained, 'detail'>>> = {
  PARSE_ERROR: { text: 'The daemon could not read what the page sent.', next: 'Reload the page. If it happens again, the page and the daemon are different versions: rebuild with npm run setup.' },
  INVALID_REQUEST: { text: 'The daemon could not read what the page sent.', next: 'Reload the page. If it happens again, rebuild with npm run setup.' },
  METHOD_NOT_FOUND: { text: 'This daemon does not offer that action.', next: 'Update posbridge, or use a page that matches its version.' },
  INVALID_PARAMS: { text: 'The daemon refused the values given.', next: 'Check the form (amount, currency, lane) and try again.' },
  INTERNAL_ERROR: { text: 'The daemon failed to handle the request (it wrote the details to its log).', next: 'Try again. If it repeats, look at the daemon log.' },
  UNAUTHENTICATED: { text: 'The token was not accepted.', next: 'Paste a current token: npm run demo prints one, or pair this page with posbridge pair --role supervisor.' },
  FORBIDDEN: { text: 'This token’s role may not do that.', next: 'Ask a supervisor to do it with a supervisor token.' },
  RATE_LIMITED: { text: 'Too many requests in a short time.', next: 'Wait a second and try again.' },
  MESSAGE_TOO_LARGE: { text: 'The request was too large for the daemon.', next: 'Shorten what you typed and try again.' },
  BUSY: { text: 'Another payment is still running on this lane.', next: 'Wait for it to finish, or cancel it first.' },
  NOT_FOUND: { text: 'The daemon does not know that payment, lane or receipt.', next: 'Refresh the payments list and try again.' },
  DEVICE_UNAVAILABLE: { text: 'The device cannot be used right now.', next: 'Check that it is plugged in and switched on, has paper and its cover is closed, then try again.' },
  DISABLED: { text: 'This is turned off in the daemon’s configuration.', next: 'Ask the administrator to turn it on, if it is needed.' },
  ALREADY_PRINTED: { text: 'This receipt was already printed (or is waiting to print).', next: 'Use Reprint to print a copy marked COPY.' },
  DISCONNECTED: { text: 'The page is not connected to the daemon.', next: 'It reconnects by itself; check that the daemon is running (npm run demo).' },
  TIMEOUT: { text: 'The daemon did not answer in time.', next: 'Check that the daemon is running, then try again.' },
  CLOSED: { text: 'The connection was closed.', next: 'Connect again with your token.' },
  ABORTED: { text: 'The request was stopped.', next: 'Try again if it is still needed.' },
};

/** Any error (usually a PosbridgeApiError) in plain words. */
export function explainError(err: unknown): Explained {
  if (err instanceof PosbridgeApiError) {
    const w = API_WORDS[err.code];
    if (w) return { ...w, detail: err.message };
    return { text: 'The daemon answered with an error.', next: 'Try again; if it repeats, look at the daemon log.', detail: `${err.code}: ${err.message}` };
  }
  return { text: 'Something went wrong in the page.', next: 'Reload the page and try again.', detail: err instanceof Error ? err.message : String(err) };
}

const REASON_WORDS: ReadonlyArray<readonly [RegExp, Omit<Explained, 'detail'>]> = [
  [/CARD_REMOVED/, { text: 'The card was removed before the payment finished.', next: 'Start the payment again and leave the card in until the result shows. Nothing is charged for this attempt.' }],
  [/PAYMENT_NO_CARD/, { text: 'No card was presented in time.', next: 'Start again, then insert or tap the card.' }],
  [/EMV_CANCELLED|CANCELLED/, { text: 'The payment was cancelled.', next: 'Start a new payment when the customer is ready.' }],
  [/EMV_NO_APPLICATION/, { text: 'This card has no payment application the terminal accepts.', next: 'Ask for another card.' }],
  [/EMV_CARD_BLOCKED/, { text: 'The card is blocked.', next: 'Ask for another card or another way to pay.' }],
  [/host did not answer|HOST_/, { text: 'The bank did not answer in time.', next: 'Nothing is charged: the payment is reversed automatically. Try again in a moment.' }],
  [/NO_CARD|CARD_UNRESPONSIVE|READER_/, { text: 'The reader could not talk to the card.', next: 'Insert the card again (chip first, face up) and retry.' }],
  [/EMV_/, { text: 'The card could not complete the payment.', next: 'Try again; if it fails again, ask for another card.' }],
];

/** A finished payment's outcome: a headline, a sentence and what to do next. */
export function explainOutcome(p: PaymentInfo): Explained & { headline: string; tone: 'ok' | 'bad' | 'neutral' } {
  const reason = p.reason ?? '';
  if (p.result === 'approved' && p.state === 'completed') return { headline: 'Approved', tone: 'ok', text: 'The payment was approved.', next: 'Hand the receipt to the customer.' };
  if (p.state === 'reversal-pending' || p.state === 'reversed') {
    const hostSilent = /host did not answer/.test(reason);
    return {
      headline: p.state === 'reversed' ? 'Reversed' : 'Being reversed',
      tone: 'bad',
      text: hostSilent ? 'The bank did not answer in time, so the payment is being undone.' : 'The payment is being undone with the bank; the customer is not charged.',
      next: hostSilent ? 'Nothing is charged. Try again in a moment, or ask for another way to pay.' : 'Take another payment if the sale goes ahead.',
      ...(reason ? { detail: reason } : {}),
    };
  }
  if (p.result === 'declined') return { headline: 'Declined', tone: 'bad', text: 'The card or its bank declined the payment.', next: 'Ask for another card or another way to pay.', ...(reason ? { detail: reason } : {}) };
  const hit = REASON_WORDS.find(([re]) => re.test(reason));
  const headline = p.result === 'cancelled' ? 'Cancelled' : 'Failed';
  if (hit) return { headline, tone: p.result === 'cancelled' ? 'neutral' : 'bad', ...hit[1], ...(reason ? { detail: reason } : {}) };
  return { headline, tone: 'bad', text: 'The payment did not complete.', next: 'Try again; if it fails again, check the reader and the card.', ...(reason ? { detail: reason } : {}) };
}
