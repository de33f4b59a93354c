// What the cashier and the customer read for each step of a payment (payment.progress `message`).

/** The message of each progress step; a step without one shows its name. */
export const MESSAGES: Readonly<Record<string, string>> = {
  'waiting-for-card': 'Insert, tap or swipe the card',
  'insert-card': 'Insert or swipe the card',
  'tap-reading': 'Reading the card — keep it still',
  'present-card-again': 'Present the card again',
  'see-phone': 'See phone for instructions',
  'present-one-card-only': 'Present one card only',
  'card-read-remove-card': 'Card read — remove card',
  'swipe-fallback': 'The chip could not be read: remove the card and swipe it',
  'swipe-again': 'The swipe could not be read: swipe again',
  selection: 'Reading the card',
  initiate: 'Reading the card',
  'read-records': 'Reading the card',
  oda: 'Checking the card',
  restrictions: 'Checking the card',
  cvm: 'Cardholder verification',
  'pin-entry': 'Enter PIN',
  risk: 'Processing',
  'action-analysis': 'Processing',
  'first-generate-ac': 'Processing',
  online: 'Authorising',
  authorizing: 'Authorising',
  'issuer-authentication': 'Completing',
  scripts: 'Completing',
  'second-generate-ac': 'Completing',
};
