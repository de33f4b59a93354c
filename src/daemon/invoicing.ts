// Invoice requests in the daemon (docs/invoices.md): the journal's requests, the API methods over them, and — when
// an endpoint is configured — the delivery worker, its HTTPS sender (the private CA read here) and the
// invoice.delivered / invoice.failed notifications. The demo's endpoint simulator is reached through demo-parts.
import { readFileSync } from 'node:fs';
import { invoiceMethods, invoiceView } from '../api/invoice-methods.js';
import type { MethodSpec } from '../api/rpc.js';
import { ConfigError } from '../config/config-error.js';
import type { Db } from '../journal/database.js';
import type { Logger } from '../log/logger.js';
import type { PaymentStore } from '../payments/payment-store.js';
import { InvoiceDelivery } from '../invoices/invoice-delivery.js';
import type { InvoiceEndpointConfig } from '../invoices/invoice-config.js';
import { invoiceSender } from '../invoices/invoice-sender.js';
import { InvoiceStore } from '../invoices/invoice-store.js';
import type { DaemonConfig } from './config.js';
import type { Notifier } from './notifier.js';

/** The parts invoicing is built from. */
export interface InvoicingParts {
  readonly config: DaemonConfig;
  readonly db: Db;
  readonly payments: PaymentStore;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly clock: () => number;
  /** The demo's endpoint simulator's URL, when the config says "simulator". */
  readonly simulatorUrl?: string;
}

/** Invoicing as started: its API methods and its stop. */
export interface RunningInvoicing {
  readonly methods: Map<string, MethodSpec>;
  /** Stops the worker after its attempt in flight. */
  stop(): Promise<void>;
}

/** The configured endpoint as the sender takes it; ConfigError when the CA file cannot be read. */
function endpointOf(e: InvoiceEndpointConfig | 'simulator', simulatorUrl: string | undefined): InvoiceEndpointConfig & { readonly caPem?: string } {
  if (e === 'simulator') {
    if (!simulatorUrl) throw new ConfigError('invoice.endpoint', '"simulator" needs demo mode');
    return { url: simulatorUrl, headers: {}, timeoutMs: 10_000, firstRetryMs: 1000, maxRetryMs: 30_000 };
  }
  if (e.ca === undefined) return e;
  try {
    return { ...e, caPem: readFileSync(e.ca, 'utf8') };
  } catch (err) {
    throw new ConfigError('invoice.endpoint.ca', `cannot read ${e.ca}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Builds the store and methods, and starts delivering (requests left in flight before a restart are sent again). */
export function startInvoicing(p: InvoicingParts): RunningInvoicing {
  const merchant = { merchantId: p.config.merchant.merchantId, name: p.config.merchant.name, terminalId: p.config.merchant.terminalId };
  const store = new InvoiceStore(p.db, p.payments, merchant);
  const configured = p.config.invoice?.endpoint;
  let delivery: InvoiceDelivery | null = null;
  if (configured) {
    const e = endpointOf(configured, p.simulatorUrl);
    const send = invoiceSender({ url: e.url, headers: e.headers, timeoutMs: e.timeoutMs, ...(e.token ? { token: e.token } : {}), ...(e.caPem ? { caPem: e.caPem } : {}) }, p.clock);
    delivery = new InvoiceDelivery(store, send, e, p.clock, p.logger);
    delivery.onEnd((end) => p.notifier.notify(end.outcome === 'delivered' ? 'invoice.delivered' : 'invoice.failed', invoiceView(end.request)));
    const recovered = delivery.start();
    if (recovered) p.logger.warn('invoice requests in flight before the restart are sent again', { count: recovered });
  }
  const worker = delivery;
  return {
    methods: invoiceMethods({ store, enabled: worker !== null, recorded: () => worker?.wake(), clock: p.clock }),
    stop: async () => worker?.stop(),
  };
}
