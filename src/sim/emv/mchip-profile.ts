// Validation of the `mchip` part of a profile application (profile-types.ts MchipProfile): a Mastercard M/Chip
// application for the contactless reader's Kernel 2 (EMV Contactless Book C-2). The card runs the full EMV flow the
// contact card already has (GPO, records, GENERATE AC with CDA); this part says what Kernel 2 reads besides.
import { parseDol } from '../../apdu/dol.js';
import { fromHex } from '../../apdu/hex.js';
import type { JsonObject } from './json-fields.js';
import type { MchipProfile, OdaMethod } from './profile-types.js';

/** AIP byte 1 b2 "on device cardholder verification supported", byte 2 b8 "EMV mode supported" (Book C-2 Annex A, 82). */
const AIP1_ON_DEVICE_CVM = 0x02;
const AIP2_EMV_MODE = 0x80;

/** Parses and checks `mchip` against the application's AIP, ODA method, response format and CDOL1. */
export function parseMchip(m: JsonObject, a: JsonObject, app: { readonly oda: OdaMethod; readonly aip: string; readonly responseFormat: 1 | 2; readonly cdol1: string }): MchipProfile {
  m.onlyKeys(['kernelId', 'onDeviceCvm']);
  const [b1, b2] = fromHex(app.aip);
  const onDeviceCvm = m.bool('onDeviceCvm', false);
  if ((b2 & AIP2_EMV_MODE) === 0) throw a.error('aip', `AIP ${app.aip}: an mchip application runs in EMV mode (set bit 80 of byte 2); mag-stripe mode is not simulated`);
  if (onDeviceCvm !== ((b1 & AIP1_ON_DEVICE_CVM) !== 0)) throw m.error('onDeviceCvm', `must match AIP ${app.aip} byte 1 bit 02 (on device cardholder verification supported)`);
  // Kernel 2 authenticates offline with CDA only (Book C-2): SDA and DDA cards would go unchecked.
  if (app.oda === 'SDA' || app.oda === 'DDA') throw a.error('oda', `Kernel 2 does CDA or no ODA, not ${app.oda}`);
  if (app.responseFormat !== 2) throw a.error('responseFormat', 'Kernel 2 reads format 2 (77) answers');
  if (!parseDol(fromHex(app.cdol1)).some((e) => e.tag === 0x9f37)) throw a.error('cdol1', 'an mchip application needs the unpredictable number (9F37) in CDOL1');
  const kernelId = m.has('kernelId') ? m.hex('kernelId', 1, 1) : null;
  if (kernelId !== null && kernelId !== '02') throw m.error('kernelId', `must be 02 (Kernel 2) when present, got ${kernelId}`);
  return { kernelId, onDeviceCvm };
}
