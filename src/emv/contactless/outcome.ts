// The Outcome Parameter Sets this reader produces (EMV Contactless Book A §6.2, Book C-3 §5.x outcomes) and the
// User Interface Requests that go with them (Book A §7.1-7.3). One place, so the kernel and Entry Point agree.
import type { ContactlessCvm, OutcomeKind, OutcomeParameters, UiMessage, UiRequest, UiStatus } from './types.js';

/** Default hold time of a final message (Book A §7.1 "Hold Time"; the value is the reader's choice). */
export const HOLD_MS = 1300;

/** A UI request. */
export function ui(message: UiMessage, status: UiStatus, holdMs = 0): UiRequest {
  return { message, status, holdMs };
}

/** The Outcome Parameter Set for `outcome` with the reader's standard messages. */
export function outcomeParameters(outcome: OutcomeKind, cvm: ContactlessCvm = 'no-cvm', options: { readonly seePhone?: boolean; readonly contact?: boolean } = {}): OutcomeParameters {
  const receipt = cvm === 'signature';
  switch (outcome) {
    case 'approved':
      return { outcome, start: 'none', cvm, uiOnOutcome: ui(receipt ? 'sign-receipt' : 'approved', 'card-read-successfully', HOLD_MS), uiOnRestart: null, alternateInterface: null, receipt };
    case 'declined':
      return { outcome, start: 'none', cvm, uiOnOutcome: ui('declined', 'card-read-successfully', HOLD_MS), uiOnRestart: null, alternateInterface: null, receipt: false };
    case 'online-request':
      // Book C-3: the card is read; the cardholder may remove it while the host decides.
      return { outcome, start: 'none', cvm, uiOnOutcome: ui('card-read-remove-card', 'card-read-successfully'), uiOnRestart: null, alternateInterface: null, receipt };
    case 'try-another-interface':
      return {
        outcome,
        start: 'none',
        cvm,
        uiOnOutcome: ui(options.contact === false ? 'insert-swipe-or-try-another-card' : 'insert-card', 'processing-error', HOLD_MS),
        uiOnRestart: null,
        alternateInterface: options.contact === false ? null : 'contact',
        receipt: false,
      };
    case 'try-again':
      // Book A §6.2 / Book C-3: restart at protocol activation (B); a phone asks the cardholder to look at it first.
      return {
        outcome,
        start: 'B',
        cvm,
        uiOnOutcome: options.seePhone ? ui('see-phone', 'processing-error', HOLD_MS) : null,
        uiOnRestart: ui(options.seePhone ? 'present-card' : 'present-card-again', 'ready-to-read'),
        alternateInterface: null,
        receipt: false,
      };
    case 'select-next':
      return { outcome, start: 'C', cvm, uiOnOutcome: null, uiOnRestart: null, alternateInterface: null, receipt: false };
    case 'end-application':
      return { outcome, start: 'none', cvm, uiOnOutcome: ui('insert-swipe-or-try-another-card', 'processing-error', HOLD_MS), uiOnRestart: null, alternateInterface: null, receipt: false };
  }
}

/** What to show for an outcome: the outcome's message, else the restart's, else "present card". */
export function uiFor(p: OutcomeParameters): UiRequest {
  return p.uiOnOutcome ?? p.uiOnRestart ?? ui('present-card', 'ready-to-read');
}
