// The virtual EMV card's public surface, for the CLI (`posbridge sim card`), the demo and the host simulator.
export { createCard, getProfile, issuerKeysFor, issuerKeysForPan, listProfiles, loadProfiles, profileInfo } from './catalog.js';
export { EmvCard, type EmvCardOptions } from './emv-card.js';
export { EMV_SIM_ERROR_CODES, EmvSimError, type EmvSimErrorCode } from './errors.js';
export { IssuerKeys, type ArqcCheck, type ArqcFailure, type IssuerDecision } from './issuer-keys.js';
export { IccKeys } from './icc-keys.js';
export { decodeCvr, cvrOfIad, type CvrFields } from './cryptogram-layout.js';
export type { ScriptRecord } from './card-state.js';
export type { ApplicationProfile, CardProfile, ExpectedOutcome, ProfileInfo } from './profile-types.js';
export { simCaKeys } from './sim-keys.js';
