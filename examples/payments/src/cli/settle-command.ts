import { PaymentService, type SettleResult } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { COMMON_USAGE, parseCommandArgs } from './command-args.js';
import { formatAmount } from './format-payment.js';
import { withPaymentsClient } from './payments-connection.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: npm run payments -- settle <payment id>... [options]

Settles payments over one Settle stream and prints one result line per id, in order. A payment that does not
exist or was already settled is a result (not settled, with the reason), not a failure.

${COMMON_USAGE}`;

/** `settle`: the ids as one Settle stream, one line per result as it arrives. */
export async function settleCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('at least one payment id is required', USAGE);
  const codec = PaymentService.methods.Settle.responseCodec;
  return withPaymentsClient(values, io, USAGE, async (client) => {
    for await (const result of client.settle(positionals.map((paymentId) => ({ paymentId })))) {
      io.stdout(values.json ? `${JSON.stringify(codec.toJson(result))}\n` : `${resultLine(result)}\n`);
    }
    return 0;
  });
}

function resultLine({ paymentId, settled, payment, reason }: SettleResult): string {
  const about = payment ? `: ${formatAmount(payment.amountCents, payment.currency)}, customer ${payment.customerId}` : '';
  if (settled) return `${paymentId}  settled${about}`;
  const when = reason === 'already_settled' && payment?.settledAt ? ` at ${payment.settledAt.toISOString()}` : '';
  return `${paymentId}  not settled (${reason}${when})${about}`;
}
