// Terminal Transaction Qualifiers (9F66) and Card Transaction Qualifiers (9F6C), bit by bit (EMV Contactless
// Book C-3 Annex A, data elements 9F66 and 9F6C).

/** What the TTQ of this transaction says about the reader. */
export interface Ttq {
  readonly emvMode: boolean;
  readonly contactChip: boolean;
  readonly offlineOnly: boolean;
  readonly onlinePin: boolean;
  readonly signature: boolean;
  readonly odaForOnline: boolean;
  readonly onlineCryptogramRequired: boolean;
  readonly cvmRequired: boolean;
  readonly issuerUpdate: boolean;
  readonly consumerDeviceCvm: boolean;
}

/** The TTQ's bits (byte 1 b6 EMV mode, b5 contact chip, b4 offline-only, b3 online PIN, b2 signature, b1 ODA for online; byte 2 b8 online cryptogram required, b7 CVM required; byte 3 b8 issuer update, b7 CDCVM). */
export function parseTtq(ttq: Uint8Array): Ttq {
  const [b1 = 0, b2 = 0, b3 = 0] = ttq;
  return {
    emvMode: (b1 & 0x20) !== 0,
    contactChip: (b1 & 0x10) !== 0,
    offlineOnly: (b1 & 0x08) !== 0,
    onlinePin: (b1 & 0x04) !== 0,
    signature: (b1 & 0x02) !== 0,
    odaForOnline: (b1 & 0x01) !== 0,
    onlineCryptogramRequired: (b2 & 0x80) !== 0,
    cvmRequired: (b2 & 0x40) !== 0,
    issuerUpdate: (b3 & 0x80) !== 0,
    consumerDeviceCvm: (b3 & 0x40) !== 0,
  };
}

/** What the card's CTQ asks of the reader. */
export interface Ctq {
  readonly onlinePinRequired: boolean;
  readonly signatureRequired: boolean;
  readonly goOnlineIfOdaFails: boolean;
  readonly switchInterfaceIfOdaFails: boolean;
  readonly goOnlineIfExpired: boolean;
  readonly switchInterfaceForCash: boolean;
  readonly switchInterfaceForCashback: boolean;
  readonly consumerDeviceCvmPerformed: boolean;
  readonly issuerUpdateSupported: boolean;
}

/** The CTQ's bits (byte 1 b8 online PIN, b7 signature, b6 online if ODA fails, b5 switch if ODA fails, b4 online if expired, b3/b2 switch for cash/cashback; byte 2 b8 CDCVM performed, b7 issuer update). */
export function parseCtq(ctq: Uint8Array | undefined): Ctq | null {
  if (!ctq || ctq.length !== 2) return null;
  const [b1, b2] = ctq;
  return {
    onlinePinRequired: (b1 & 0x80) !== 0,
    signatureRequired: (b1 & 0x40) !== 0,
    goOnlineIfOdaFails: (b1 & 0x20) !== 0,
    switchInterfaceIfOdaFails: (b1 & 0x10) !== 0,
    goOnlineIfExpired: (b1 & 0x08) !== 0,
    switchInterfaceForCash: (b1 & 0x04) !== 0,
    switchInterfaceForCashback: (b1 & 0x02) !== 0,
    consumerDeviceCvmPerformed: (b2 & 0x80) !== 0,
    issuerUpdateSupported: (b2 & 0x40) !== 0,
  };
}
