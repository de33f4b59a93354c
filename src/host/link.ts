import { toHex } from '../apdu/hex.js';
import { encodeTlv, findTlv } from '../apdu/tlv.js';
import type { Logger } from '../log/logger.js';
import { nextRrn, nextStan } from '../journal/counters.js';
import type { Db } from '../journal/database.js';
import type { HostQueue } from '../journal/host-queue.js';
import type { Batches } from '../journal/batches.js';
import { HostError } from './errors.js';
import { pack, unpack, type Iso8583Message, type Iso8583Spec } from './iso8583/index.js';
import type { RequestMatcher } from './matcher.js';
import { APPROVED_CODES, buildAdvice, buildAuthRequest, buildReversal, type AuthRequest, type TerminalIdentity } from './messages.js';

/** How the host answered an authorisation, as the payment flow and the EMV kernel need it. */
export interface AuthResult {
  readonly outcome: 'approved' | 'declined' | 'unable';
  readonly responseCode?: string;
  readonly authCode?: string;
  /** Issuer authentication data (91), hex. */
  readonly issuerAuthenticationData?: string;
  /** Issuer script templates (71/72), each whole TLV in hex. */
  readonly scripts?: string[];
  readonly stan: string;
  /** The armed reversal while the sale is open (approved): `complete` or `reverse` it. */
  readonly reversalId: number | null;
  /** Set when the request's fate is unknown and a reversal was queued. */
  readonly reversalQueued: boolean;
  readonly error?: string;
}

/** Timeouts and lifetimes of the link. */
export interface LinkPolicy {
  readonly authTimeoutMs: number;
  /** How long a queued reversal or advice may wait before it is flagged for manual handling. */
  readonly queueTtlMs: number;
}

/**
 * Authorisations with the acquirer host. Before a request leaves, its reversal is written (armed) in the journal;
 * it is disarmed when the answer is a decline or the sale completes, and fired on exactly the reversal triggers:
 * no answer in time, an unparseable answer, the card declining after the host approved, the card removed after
 * approval, a cancellation after the request left. A restart fires whatever was left armed.
 */
export class HostLink {
  /** Binds the link to its transport, spec, journal and identity. */
  constructor(
    private readonly matcher: RequestMatcher,
    private readonly spec: Iso8583Spec,
    private readonly db: Db,
    private readonly queue: HostQueue,
    private readonly identity: TerminalIdentity,
    private readonly policy: LinkPolicy,
    private readonly clock: () => Date,
    private readonly onQueued: () => void = () => undefined,
    private readonly logger?: Logger,
    private readonly batches?: Batches,
  ) {}

  /** Approved sales waiting for `complete` or `reverse`: what the settlement batch will need. */
  private readonly open = new Map<number, { req: AuthRequest; request: Uint8Array; stan: string; authCode: string | null }>();

  /** Sends the authorisation and waits for its answer; never throws for host trouble (outcome 'unable'). */
  async authorize(req: AuthRequest): Promise<AuthResult> {
    const now = this.clock();
    const stan = nextStan(this.db);
    // The terminal's retrieval reference number (37) rides with the request and its reversal; durable like the STAN.
    const request = buildAuthRequest(req, this.identity, stan, now, nextRrn(this.db, now));
    const reversal = buildReversal(request, nextStan(this.db), now);
    const reversalId = this.queue.arm(req.ref, reversal.mti, pack(this.spec, reversal), now.getTime(), this.policy.queueTtlMs);
    let response: Iso8583Message;
    try {
      response = await this.matcher.request(request, this.policy.authTimeoutMs);
    } catch (err) {
      const e = err instanceof HostError ? err : new HostError('HOST_DISCONNECTED', String(err), {}, err);
      // HOST_CLOSED after the request was handed to the channel (the link shut down while waiting) is as ambiguous
      // as a timeout: only a request that never left needs no reversal.
      if (e.code === 'HOST_UNREACHABLE' || (e.code === 'HOST_CLOSED' && e.details.sent !== true)) {
        // The request never left: nothing to reverse.
        this.queue.disarm(reversalId);
        return { outcome: 'unable', stan, reversalId: null, reversalQueued: false, error: e.code };
      }
      this.queue.fire(reversalId, e.code, this.clock().getTime());
      this.onQueued();
      this.logger?.warn('authorisation ambiguous; reversal queued', { ref: req.ref, stan, code: e.code });
      return { outcome: 'unable', stan, reversalId: null, reversalQueued: true, error: e.code };
    }
    const code = response.text(39) ?? '';
    if (!/^[0-9A-Z]{2}$/.test(code)) {
      // An answer without a readable response code says nothing about the host's decision: as ambiguous as silence.
      this.queue.fire(reversalId, 'HOST_RESPONSE_INVALID', this.clock().getTime());
      this.onQueued();
      return { outcome: 'unable', stan, reversalId: null, reversalQueued: true, error: 'HOST_RESPONSE_INVALID' };
    }
    if (!APPROVED_CODES.has(code)) {
      this.queue.disarm(reversalId);
      return { outcome: 'declined', responseCode: code, stan, reversalId: null, reversalQueued: false };
    }
    const icc = response.tlv(55) ?? [];
    const iad = findTlv(icc, 0x91);
    const scripts = icc.filter((n) => n.tag === 0x71 || n.tag === 0x72).map((n) => toHex(encodeTlv([{ tag: n.tag, value: n.value }])));
    this.open.set(reversalId, { req, request: pack(this.spec, request), stan, authCode: response.text(38)?.trim() ?? null });
    return {
      outcome: 'approved',
      responseCode: code,
      authCode: response.text(38)?.trim(),
      ...(iad ? { issuerAuthenticationData: toHex(iad.value) } : {}),
      ...(scripts.length ? { scripts } : {}),
      stan,
      reversalId,
      reversalQueued: false,
    };
  }

  /** The approved sale completed at the card: its reversal is no longer needed. */
  complete(reversalId: number): void {
    this.queue.disarm(reversalId);
    const o = this.open.get(reversalId);
    this.open.delete(reversalId);
    if (!o) return;
    if (o.req.kind === 'preauth') this.keepPreauth(o.req, o.request, o.authCode);
    else this.recordInBatch(o.req, o.request, o.stan, o.authCode);
  }

  /**
   * Captures an approved pre-authorisation for `amount` (at most the authorised amount): the completion (0220 with
   * the original approval code) goes through the queue, and the batch counts it as a sale. False when there is no
   * uncaptured pre-authorisation for `ref`.
   */
  capture(ref: string, amount: number): boolean {
    const row = this.db.prepare(`SELECT * FROM preauthorizations WHERE ref = ? AND captured_at IS NULL`).get(ref) as
      | { amount: number; currency: string; auth_code: string | null; request: Buffer }
      | undefined;
    if (!row || amount <= 0 || amount > row.amount) return false;
    const now = this.clock();
    const original = unpack(this.spec, this.queue.open(new Uint8Array(row.request)));
    const completion = original
      .withMti('0220')
      .with(4, String(amount).padStart(12, '0'))
      .with(11, nextStan(this.db))
      .with(38, (row.auth_code ?? '').padEnd(6, ' ').slice(0, 6));
    const packed = pack(this.spec, completion);
    this.db.transaction(() => {
      this.queue.enqueue('advice', ref, '0220', packed, now.getTime(), this.policy.queueTtlMs, 'capture of a pre-authorisation');
      this.batches?.record({ ref, kind: 'sale', amount, currency: row.currency, stan: completion.text(11) ?? '', authCode: row.auth_code, request: packed }, now.getTime());
      this.db.prepare(`UPDATE preauthorizations SET captured_amount = ?, captured_at = ? WHERE ref = ?`).run(amount, now.getTime(), ref);
    })();
    this.onQueued();
    return true;
  }

  private keepPreauth(req: AuthRequest, request: Uint8Array, authCode: string | null): void {
    let kept = unpack(this.spec, request);
    for (const f of [35, 45, 52, 53]) kept = kept.without(f);
    this.db
      .prepare(`INSERT OR IGNORE INTO preauthorizations (ref, amount, currency, auth_code, request, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(req.ref, req.amount, req.currency, authCode, Buffer.from(this.queue.seal(pack(this.spec, kept))), this.clock().getTime());
  }

  /** The approved sale must be undone (card declined, card removed, cancelled): the reversal goes out. */
  reverse(reversalId: number, reason: string): void {
    // The host counted the approval and will count its reversal: the batch keeps both (ISO 8583 fields 76/77).
    const o = this.open.get(reversalId);
    this.open.delete(reversalId);
    if (o && o.req.kind !== 'preauth') {
      this.recordInBatch(o.req, o.request, o.stan, o.authCode);
      this.batches?.markReversed(o.req.ref, o.req.kind === 'refund' ? 'refund' : 'sale');
    }
    this.queue.fire(reversalId, reason, this.clock().getTime());
    this.onQueued();
  }

  /**
   * Voids a completed sale before settlement (a supervisor's payment.reverse): a reversal built from the batch's copy
   * of the request (no track or PIN data) is queued, and the batch counts the sale as reversed. False when the sale
   * is not in an open batch.
   */
  voidCompleted(ref: string): boolean {
    const item = this.batches?.findOpen(ref);
    if (!item) return false;
    const now = this.clock();
    const original = unpack(this.spec, item.request);
    const reversal = buildReversal(original, nextStan(this.db), now);
    this.queue.enqueue('reversal', ref, reversal.mti, pack(this.spec, reversal), now.getTime(), this.policy.queueTtlMs, 'voided by a supervisor');
    this.batches?.markReversed(ref, item.kind);
    this.onQueued();
    return true;
  }

  /** Queues the advice of an offline approval (Y1/Y3) for the host. */
  adviseOfflineApproval(req: AuthRequest, authCode: string): number {
    const now = this.clock();
    const advice = buildAdvice(req, this.identity, nextStan(this.db), now, authCode);
    const packed = pack(this.spec, advice);
    const id = this.queue.enqueue('advice', req.ref, advice.mti, packed, now.getTime(), this.policy.queueTtlMs);
    this.recordInBatch(req, packed, advice.text(11) ?? '', authCode);
    this.onQueued();
    return id;
  }

  private recordInBatch(req: AuthRequest, request: Uint8Array, stan: string, authCode: string | null): void {
    const kind = req.kind === 'refund' ? 'refund' : 'sale';
    // Kept for batch upload: never track data (35, 45) or the PIN block and its KSN (52, 53) after authorisation.
    let kept = unpack(this.spec, request);
    for (const f of [35, 45, 52, 53]) kept = kept.without(f);
    this.batches?.record({ ref: req.ref, kind, amount: req.amount, currency: req.currency, stan, authCode, request: pack(this.spec, kept) }, this.clock().getTime());
  }
}
