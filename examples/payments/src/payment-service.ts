import { badRequest, type CallContext, Inject, RpcError, Service, Status, UnaryMethod } from '@wirekit/core';
import { type ChargeRequest, type GetPaymentRequest, type Payment, PaymentService } from './gen/payments.js';
import { LEDGER, type Ledger } from './ledger.js';
import { chargeViolations } from './validation.js';

/**
 * The payments API. This first version serves Charge and GetPayment; the streaming rpcs answer UNIMPLEMENTED
 * until the payments example is completed.
 */
@Service(PaymentService, { allowUnimplemented: true })
export class PaymentHandlers {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

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
}
