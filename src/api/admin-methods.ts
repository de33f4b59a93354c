import { CommandApdu } from '../apdu/command-apdu.js';
import { fromHex, toHex } from '../apdu/hex.js';
import { withT0Handling } from '../apdu/t0.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { HostStack } from '../host/stack.js';
import { redactString } from '../log/redact.js';
import type { PaymentStore } from '../payments/payment-store.js';
import { ApiError } from './errors.js';
import { apiErrorOf, paymentView } from './payment-methods.js';
import { stringParam, type MethodSpec } from './rpc.js';

/** What the supervisor and admin methods need. */
export interface AdminMethodDeps {
  readonly store: PaymentStore;
  readonly host: HostStack;
  readonly driver: ReaderDriver;
  readonly readers: ReadonlyMap<string, string>;
  /** diag.transmit is off unless the configuration turns it on. */
  readonly diagEnabled: boolean;
  readonly clock: () => number;
}

/** payment.capture (cashier), payment.reverse and settlement.close (supervisor), diag.transmit (admin, off by default). */
export function adminMethods(d: AdminMethodDeps): Map<string, MethodSpec> {
  return new Map<string, MethodSpec>([
    [
      'payment.reverse',
      {
        role: 'supervisor',
        handler: (params) => {
          try {
            const p = d.store.get(stringParam(params, 'paymentId', { max: 64 }) ?? '');
            if (p.state !== 'completed' || p.result !== 'approved') throw new ApiError('INVALID_PARAMS', `only an approved, completed payment can be reversed; this one is ${p.state}`);
            // The void and its journal state commit together; the reversal then goes out through the queue.
            const moved = d.store.atomically(() => {
              if (!d.host.link.voidCompleted(p.id)) throw new ApiError('INVALID_PARAMS', 'the payment is already settled (or not in a batch): refund it instead');
              return d.store.move(p.id, 'reversal-pending', d.clock(), { reason: 'reversed by a supervisor' });
            });
            return paymentView(moved);
          } catch (err) {
            throw apiErrorOf(err);
          }
        },
      },
    ],
    [
      'payment.capture',
      {
        role: 'cashier',
        handler: (params) => {
          try {
            const p = d.store.get(stringParam(params, 'paymentId', { max: 64 }) ?? '');
            if (p.type !== 'preauth' || p.state !== 'completed' || p.result !== 'approved') throw new ApiError('INVALID_PARAMS', 'only an approved pre-authorisation can be captured');
            const amount = params.amount ?? p.amount;
            if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > p.amount) {
              throw new ApiError('INVALID_PARAMS', `amount must be an integer from 1 to the authorised ${p.amount}`, { param: 'amount' });
            }
            d.store.atomically(() => {
              if (!d.host.link.capture(p.id, amount)) throw new ApiError('INVALID_PARAMS', 'this pre-authorisation was already captured');
              d.store.note(p.id, d.clock(), `captured ${amount}`, { kind: 'captured', amount });
            });
            return { paymentId: p.id, captured: amount };
          } catch (err) {
            throw apiErrorOf(err);
          }
        },
      },
    ],
    [
      'settlement.close',
      {
        role: 'supervisor',
        handler: async (_params, session) => {
          await d.host.worker.drain();
          // The drain may have taken a while: a client revoked meanwhile never closes the batch.
          if (!session.stillAuthorized()) throw new ApiError('UNAUTHENTICATED', 'this client was revoked (`posbridge clients revoke`): pair again', { revoked: true });
          const waiting = d.host.queue.list(['pending', 'in-flight']);
          if (waiting.length) throw new ApiError('BUSY', `${waiting.length} reversal(s)/advice(s) still wait for the host; close again once they are delivered`);
          const r = await d.host.settlement.settle();
          return r ? { batchId: r.batchId, closed: r.closed, currencies: r.currencies.map((c) => ({ ...c.totals, responseCode: c.responseCode, uploaded: c.uploaded, agreed: c.agreed })) } : { batchId: null, closed: false, currencies: [] };
        },
      },
    ],
    [
      'diag.transmit',
      {
        role: 'admin',
        handler: async (params) => {
          if (!d.diagEnabled) throw new ApiError('DISABLED', 'diag.transmit is off; turn it on with "diagTransmit": true in the configuration');
          const lane = stringParam(params, 'lane', { max: 40 }) ?? '';
          const reader = d.readers.get(lane);
          if (!reader) throw new ApiError('NOT_FOUND', `no lane "${lane}"`, { param: 'lane' });
          const hex = stringParam(params, 'apdu', { max: 600 }) ?? '';
          let cmd: CommandApdu;
          try {
            cmd = CommandApdu.parse(fromHex(hex));
          } catch (err) {
            throw new ApiError('INVALID_PARAMS', `apdu: ${err instanceof Error ? err.message : String(err)}`, { param: 'apdu' });
          }
          const conn = await d.driver.connect(reader).catch((err: unknown) => {
            throw new ApiError('DEVICE_UNAVAILABLE', err instanceof Error ? err.message : String(err));
          });
          try {
            const r = await conn.transaction((ch) => withT0Handling(ch).transmit(cmd.encode()));
            // Card numbers in the answer are masked like everywhere else.
            return { response: redactString(toHex(r)) };
          } finally {
            await conn.disconnect();
          }
        },
      },
    ],
  ]);
}
