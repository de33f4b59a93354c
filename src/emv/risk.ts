import { CommandApdu } from '../apdu/command-apdu.js';
import { findTlv } from '../apdu/tlv.js';
import type { CardIo } from './card-io.js';
import type { EmvDataStore } from './data-store.js';
import { uintOf } from './numeric.js';
import type { BitField, TsiBit, TvrBit } from './tvr.js';
import type { AidConfig } from './types.js';

/**
 * Terminal risk management (EMV Book 3 §10.6): floor limit, random transaction selection and velocity checking.
 * `random` returns a number in [1, 99] (injected so tests are deterministic).
 */
export async function terminalRiskManagement(
  io: CardIo,
  store: EmvDataStore,
  tvr: BitField<TvrBit>,
  tsi: BitField<TsiBit>,
  app: AidConfig,
  amount: number,
  random: () => number,
): Promise<void> {
  tsi.set('terminalRiskManagementPerformed');
  // §10.6.1 floor limit (the exception file and the split-sales log are the acquirer's, not kept here).
  if (amount >= app.floorLimit) tvr.set('floorLimitExceeded');
  // §10.6.2 random selection: below the threshold at target %, rising linearly to max target % at the floor limit.
  else if (app.targetPercent > 0 || app.maxTargetPercent > 0) {
    let percent = app.targetPercent;
    if (amount >= app.thresholdValue && app.floorLimit > app.thresholdValue) {
      const factor = (amount - app.thresholdValue) / (app.floorLimit - app.thresholdValue);
      percent = app.targetPercent + (app.maxTargetPercent - app.targetPercent) * factor;
    }
    if (random() <= percent) tvr.set('randomlySelectedOnline');
  }
  // §10.6.3 velocity checking, when the card gives both offline limits.
  const lower = uintOf(store.getCard(0x9f14));
  const upper = uintOf(store.getCard(0x9f23));
  if (lower === null || upper === null) return;
  const atc = await getDataValue(io, 0x9f36);
  const lastOnline = await getDataValue(io, 0x9f13);
  if (atc === null || lastOnline === null) {
    tvr.set('iccDataMissing');
    tvr.set('lowerOfflineLimitExceeded');
    tvr.set('upperOfflineLimitExceeded');
    return;
  }
  const offline = atc - lastOnline;
  if (offline > lower) tvr.set('lowerOfflineLimitExceeded');
  if (offline > upper) tvr.set('upperOfflineLimitExceeded');
  if (lastOnline === 0) tvr.set('newCard');
}

async function getDataValue(io: CardIo, tag: number): Promise<number | null> {
  const r = await io.send('risk', CommandApdu.getData(tag));
  if (!r.isOk) return null;
  const n = findTlv(io.decode('risk', r.data), tag);
  return n ? uintOf(n.value) : null;
}
