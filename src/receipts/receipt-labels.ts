/** The languages a receipt can be worded in: English, or Simplified Chinese (labels in Chinese, codes as they are). */
export type ReceiptLanguage = 'en' | 'zh';

/** Every receipt language (config, tests). */
export const RECEIPT_LANGUAGES: readonly ReceiptLanguage[] = ['en', 'zh'];

/** The words a receipt prints around the payment's data. */
export interface ReceiptLabels {
  readonly type: Readonly<Record<'sale' | 'refund' | 'preauth', string>>;
  readonly copy: Readonly<Record<'customer' | 'merchant', string>>;
  readonly terminal: string;
  readonly date: string;
  readonly card: string;
  readonly application: string;
  readonly aid: string;
  readonly entry: string;
  readonly entryMode: Readonly<Record<'chip' | 'contactless' | 'swiped' | 'fallback', string>>;
  readonly tvr: string;
  readonly tsi: string;
  readonly amount: string;
  readonly approved: string;
  readonly declined: string;
  readonly authCode: string;
  readonly response: string;
  /** The CVM line of an approved payment, by the payment's `cvm`. */
  readonly cvm: Readonly<Record<string, string>>;
  readonly signature: string;
  readonly reference: string;
  /** The duplicate marking of a reprint. */
  readonly duplicate: string;
  /** Above the invoice-request QR code. */
  readonly invoice: string;
}

const EN: ReceiptLabels = {
  type: { sale: 'SALE', refund: 'REFUND', preauth: 'PRE-AUTHORISATION' },
  copy: { customer: 'CUSTOMER COPY', merchant: 'MERCHANT COPY' },
  terminal: 'Terminal',
  date: 'Date',
  card: 'Card',
  application: 'Application',
  aid: 'AID',
  entry: 'Entry',
  entryMode: { chip: 'CHIP', contactless: 'CONTACTLESS', swiped: 'SWIPED', fallback: 'FALLBACK (SWIPED)' },
  tvr: 'TVR',
  tsi: 'TSI',
  amount: 'AMOUNT',
  approved: 'APPROVED',
  declined: 'DECLINED',
  authCode: 'Auth code',
  response: 'Response',
  cvm: {
    'offline-pin': 'PIN VERIFIED',
    'online-pin': 'PIN VERIFIED ONLINE',
    cdcvm: 'VERIFIED ON DEVICE',
    'offline-pin+signature': 'PIN VERIFIED',
    signature: 'SIGNATURE REQUIRED',
    'no-cvm': 'NO CARDHOLDER VERIFICATION',
  },
  signature: 'Cardholder signature',
  reference: 'Ref',
  duplicate: 'COPY',
  invoice: 'Scan to request your invoice',
};

// The wording of Chinese card slips (交易类型 消费/退货, 持卡人存根/商户存根, 授权码, 参考号 …).
const ZH: ReceiptLabels = {
  type: { sale: '消费', refund: '退货', preauth: '预授权' },
  copy: { customer: '持卡人存根', merchant: '商户存根' },
  terminal: '终端号',
  date: '日期时间',
  card: '卡号',
  application: '应用标签',
  aid: 'AID',
  entry: '输入方式',
  entryMode: { chip: '芯片', contactless: '非接触', swiped: '磁条', fallback: '磁条（降级）' },
  tvr: 'TVR',
  tsi: 'TSI',
  amount: '金额',
  approved: '交易成功',
  declined: '交易拒绝',
  authCode: '授权码',
  response: '应答码',
  cvm: {
    'offline-pin': '密码已验证',
    'online-pin': '密码已联机验证',
    cdcvm: '已在设备上验证',
    'offline-pin+signature': '密码已验证',
    signature: '请持卡人签名',
    'no-cvm': '无需验证',
  },
  signature: '持卡人签名',
  reference: '参考号',
  duplicate: '副本 COPY',
  invoice: '扫码申请开具发票',
};

/** The labels of a receipt language (English when none is given). */
export function receiptLabels(language: ReceiptLanguage = 'en'): ReceiptLabels {
  return language === 'zh' ? ZH : EN;
}
