// The contactless path's public surface: Entry Point (Book B) with Kernel 2 and Kernel 3/7, its configuration and
// outcome types, the UI requests (a lane shows ui('present-card', 'ready-to-read') while it waits for a card).
export { runContactless } from './entry-point.js';
export { DEFAULT_COMBINATIONS, defaultContactlessConfig } from './defaults.js';
export { asEmvOutcome } from './emv-outcome.js';
export { outcomeParameters, ui, uiFor } from './outcome.js';
export { CONTACTLESS_FIELD55_TAGS } from './results.js';
export type * from './types.js';
