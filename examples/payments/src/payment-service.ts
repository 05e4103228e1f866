import {
  BidiStreamingMethod,
  badRequest,
  type CallContext,
  ClientStreamingMethod,
  Inject,
  RpcError,
  ServerStreamingMethod,
  Service,
  Status,
  UnaryMethod,
} from '@wirekit/core';
import {
  type ChargeRequest,
  type EntryRejection,
  type GetPaymentRequest,
  type ImportSummary,
  type LedgerEntry,
  type Payment,
  type PaymentEvent,
  PaymentService,
  type SettleRequest,
  type SettleResult,
  type WatchPaymentsRequest,
} from './gen/payments.js';
import { LEDGER, type Ledger } from './ledger.js';
import { chargeOfEntry, entryRejection, importSummary } from './ledger-import.js';
import { LiveChanges } from './live-changes.js';
import { type PaymentStreamLimits, STREAM_LIMITS } from './stream-limits.js';
import { chargeViolations } from './validation.js';

/** The payments API: charges, look-ups, a watch of payments, ledger imports and settlement. */
@Service(PaymentService)
export class PaymentHandlers {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(STREAM_LIMITS) private readonly limits: PaymentStreamLimits,
  ) {}

  /** Creates a payment; with an idempotency key, a repeat returns the first payment unchanged. */
  @UnaryMethod()
  async charge(request: ChargeRequest, _ctx: CallContext): Promise<Payment> {
    const violations = chargeViolations(request);
    if (violations.length > 0) {
      throw new RpcError(Status.INVALID_ARGUMENT, `the charge is invalid: ${violations.map((v) => v.field).join(', ')}`, {
        details: [badRequest(violations)],
      });
    }
    const outcome = await this.ledger.charge({ ...request, metadata: request.metadata });
    if (outcome.kind === 'conflict') {
      throw new RpcError(
        Status.ALREADY_EXISTS,
        `idempotency key "${request.idempotencyKey}" was already used for payment ${outcome.existing.paymentId} with different parameters; use a new key for a new charge`,
      );
    }
    return outcome.payment;
  }

  /** Looks a payment up by id. */
  @UnaryMethod()
  async getPayment(request: GetPaymentRequest, _ctx: CallContext): Promise<Payment> {
    if (request.paymentId === '') {
      throw new RpcError(Status.INVALID_ARGUMENT, 'payment_id is required', {
        details: [badRequest([{ field: 'payment_id', description: 'payment_id is required: the id Charge returned' }])],
      });
    }
    const payment = await this.ledger.find(request.paymentId);
    if (!payment) {
      throw new RpcError(Status.NOT_FOUND, `payment ${request.paymentId} does not exist`, {
        details: [
          {
            type: 'google.rpc.ResourceInfo',
            resourceType: 'payments.v1.Payment',
            resourceName: request.paymentId,
            owner: '',
            description: 'no payment has this id',
          },
        ],
      });
    }
    return payment;
  }

  /**
   * The customer's payments (everyone's for an empty `customer_id`), oldest first, read page by page as the
   * client consumes them; with `follow`, then each payment created or settled, until the client cancels or the
   * deadline passes. A follower that falls `watchBufferLimit` live events behind is ended with
   * RESOURCE_EXHAUSTED, naming the last payment it was sent.
   */
  @ServerStreamingMethod()
  async *watchPayments(request: WatchPaymentsRequest, ctx: CallContext): AsyncGenerator<PaymentEvent> {
    const { customerId, follow } = request;
    // Subscribed before the first page, so no change falls between the listing and the feed; it drops the
    // changes the listing shows as the pages are read, so the watch keeps nothing per listed payment.
    const live = follow ? new LiveChanges(this.ledger, customerId, this.limits.watchBufferLimit) : undefined;
    try {
      let lastSent: string | undefined;
      let after: string | undefined;
      for (;;) {
        ctx.signal.throwIfAborted();
        const read = () => this.ledger.listPayments({ customerId, after, limit: this.limits.watchPageSize });
        const page = live ? await live.readPage(read) : await read();
        for (const payment of page.payments) {
          yield { kind: 'KIND_EXISTING', payment };
          lastSent = payment.paymentId;
        }
        if (!page.hasMore) break;
        after = page.cursor;
      }
      if (!live) return;
      for (;;) {
        const change = await live.next(ctx.signal);
        if (change === 'overflow') {
          throw new RpcError(
            Status.RESOURCE_EXHAUSTED,
            `more than ${this.limits.watchBufferLimit} live events waited for this watcher, which reads too slowly; ` +
              `events after ${lastSent === undefined ? 'the start of the watch' : `payment ${lastSent}`} were not delivered: ` +
              're-run WatchPayments with follow to resume (it lists every payment again, as it is now)',
          );
        }
        const { payment } = change;
        yield { kind: change.kind === 'created' ? 'KIND_CREATED' : 'KIND_SETTLED', payment };
        lastSent = payment.paymentId;
      }
    } finally {
      live?.close();
    }
  }

  /**
   * Imports a stream of ledger entries in one transaction, committed when the client closes its side: a
   * cancelled or expired call commits nothing. Invalid entries are reported, not charged; each valid one is
   * charged idempotently by its key. More than `importEntryLimit` entries end the call with RESOURCE_EXHAUSTED.
   */
  @ClientStreamingMethod()
  async importLedger(entries: AsyncIterable<LedgerEntry>, _ctx: CallContext): Promise<ImportSummary> {
    const limit = this.limits.importEntryLimit;
    const rejections: EntryRejection[] = [];
    const accepted: { index: number; entry: LedgerEntry }[] = [];
    let index = 0;
    // The request stream throws on cancel or deadline (Wirekit confirms the end, and checks the deadline, before
    // it reports the end), so the commit below is never reached then.
    for await (const entry of entries) {
      if (index >= limit) {
        throw new RpcError(
          Status.RESOURCE_EXHAUSTED,
          `an ImportLedger stream takes at most ${limit} entries and nothing was imported: split the ledger into calls of at most ${limit} entries`,
        );
      }
      const reason = entryRejection(entry);
      if (reason === undefined) accepted.push({ index, entry });
      else rejections.push({ index, reason });
      index++;
    }
    const outcomes = await this.ledger.importEntries(accepted.map(({ entry }) => chargeOfEntry(entry)));
    return importSummary(rejections, accepted, outcomes);
  }

  /**
   * Settles payments, answering each request in order as soon as it is processed. A problem with one payment
   * is its result's `reason` (`not_found`, which an empty `payment_id` also gets, or `already_settled`), never the
   * end of the stream, which ends OK when the client closes its side.
   */
  @BidiStreamingMethod()
  async *settle(requests: AsyncIterable<SettleRequest>, _ctx: CallContext): AsyncGenerator<SettleResult> {
    for await (const { paymentId } of requests) {
      const outcome = paymentId === '' ? ({ kind: 'not_found' } as const) : await this.ledger.settle(paymentId);
      switch (outcome.kind) {
        case 'settled':
          yield { paymentId, settled: true, payment: outcome.payment, reason: '' };
          break;
        case 'already_settled':
          yield { paymentId, settled: false, payment: outcome.payment, reason: 'already_settled' };
          break;
        case 'not_found':
          yield { paymentId, settled: false, reason: 'not_found' };
          break;
      }
    }
  }
}
