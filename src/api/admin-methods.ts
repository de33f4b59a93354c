import { CommandApdu } from '../apdu/command-apdu.js';
import { fromHex, toHex } from '../apdu/hex.js';
import { withT0Handling } from '../apdu/t0.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { HostStack } from '../host/stack.js';
import { redactString } from '../log/redact.js';
import type { PaymentStore } from '../payments/payment-store.js';
import { ApiError } from './errors.js';
import { paymentView } from './payment-methods.js';
import type { MethodSpec } from './rpc.js';
import { defineMethod } from './contract/define.js';
import type { ShiftDesk } from '../reports/shift-desk.js';
import { closedShiftView } from './report-methods.js';

/** What the supervisor and admin methods need. */
export interface AdminMethodDeps {
  readonly store: PaymentStore;
  readonly host: HostStack;
  readonly driver: ReaderDriver;
  readonly readers: ReadonlyMap<string, string>;
  /** diag.transmit is off unless the configuration turns it on. */
  readonly diagEnabled: boolean;
  readonly clock: () => number;
  /** Shifts still open when the batch settles are closed (and printed) by the settlement. */
  readonly desk?: ShiftDesk;
}

/** payment.capture (cashier), payment.reverse and settlement.close (supervisor), diag.transmit (admin, off by default). */
export function adminMethods(d: AdminMethodDeps): Map<string, MethodSpec> {
  return new Map<string, MethodSpec>([
    defineMethod('payment.reverse', ({ paymentId }) => {
      const p = d.store.get(paymentId);
      if (p.state !== 'completed' || p.result !== 'approved') throw new ApiError('INVALID_PARAMS', `only an approved, completed payment can be reversed; this one is ${p.state}`);
      // The void and its journal state commit together; the reversal then goes out through the queue.
      const moved = d.store.atomically(() => {
        if (!d.host.link.voidCompleted(p.id)) throw new ApiError('INVALID_PARAMS', 'the payment is already settled (or not in a batch): refund it instead');
        return d.store.move(p.id, 'reversal-pending', d.clock(), { reason: 'reversed by a supervisor' });
      });
      return paymentView(moved);
    }),
    defineMethod('payment.capture', (params) => {
      const p = d.store.get(params.paymentId);
      if (p.type !== 'preauth' || p.state !== 'completed' || p.result !== 'approved') throw new ApiError('INVALID_PARAMS', 'only an approved pre-authorisation can be captured');
      const amount = params.amount ?? p.amount;
      // The schema made it a positive integer; only the authorised amount bounds it.
      if (amount > p.amount) throw new ApiError('INVALID_PARAMS', `amount must be an integer from 1 to the authorised ${p.amount}`, { param: 'amount' });
      d.store.atomically(() => {
        if (!d.host.link.capture(p.id, amount)) throw new ApiError('INVALID_PARAMS', 'this pre-authorisation was already captured');
        d.store.note(p.id, d.clock(), `captured ${amount}`, { kind: 'captured', amount });
      });
      return { paymentId: p.id, captured: amount };
    }),
    defineMethod('settlement.close', async (_params, session) => {
      await d.host.worker.drain();
      // The drain may have taken a while: a client revoked meanwhile never closes the batch.
      if (!session.stillAuthorized()) throw new ApiError('UNAUTHENTICATED', 'this client was revoked (`posbridge clients revoke`): pair again', { revoked: true });
      const waiting = d.host.queue.list(['pending', 'in-flight']);
      if (waiting.length) throw new ApiError('BUSY', `${waiting.length} reversal(s)/advice(s) still wait for the host; close again once they are delivered`);
      const r = await d.host.settlement.settle();
      // The settlement ends the day: a shift left open is closed by it, and its printout says so.
      const shiftsClosed = d.desk ? (await d.desk.closeAll(d.clock())).map(closedShiftView) : [];
      return r
        ? { batchId: r.batchId, closed: r.closed, currencies: r.currencies.map((c) => ({ ...c.totals, responseCode: c.responseCode, uploaded: c.uploaded, agreed: c.agreed })), shiftsClosed }
        : { batchId: null, closed: false, currencies: [], shiftsClosed };
    }),
    defineMethod('diag.transmit', async ({ lane, apdu }) => {
      if (!d.diagEnabled) throw new ApiError('DISABLED', 'diag.transmit is off; turn it on with "diagTransmit": true in the configuration');
      const reader = d.readers.get(lane);
      if (!reader) throw new ApiError('NOT_FOUND', `no lane "${lane}"`, { param: 'lane' });
      let cmd: CommandApdu;
      try {
        cmd = CommandApdu.parse(fromHex(apdu));
      } catch (err) {
        throw new ApiError('INVALID_PARAMS', `apdu: ${err instanceof Error ? err.message : String(err)}`, { param: 'apdu' });
      }
      // A reader that cannot connect is DEVICE_UNAVAILABLE through the error boundary, with the reader's own code.
      const conn = await d.driver.connect(reader);
      try {
        const r = await conn.transaction((ch) => withT0Handling(ch).transmit(cmd.encode()));
        // Card numbers in the answer are masked like everywhere else.
        return { response: redactString(toHex(r)) };
      } finally {
        await conn.disconnect();
      }
    }),
  ]);
}
