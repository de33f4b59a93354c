// posbridge as a library: the typed API client, and the pure codecs other tools may want.
export { PosbridgeClient, PosbridgeApiError, type PaymentInfo, type PosbridgeEvents, type ClientOptions } from './client/index.js';
export { decodeTlv, encodeTlv, type TlvNode } from './apdu/tlv.js';
export { parseAtr, type Atr } from './apdu/atr.js';
export { CommandApdu } from './apdu/command-apdu.js';
export { ResponseApdu } from './apdu/response-apdu.js';
