import { PaymentService } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { COMMON_USAGE, parseCommandArgs } from './command-args.js';
import { paymentSummary } from './format-payment.js';
import { withPaymentsClient } from './payments-connection.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: npm run payments -- get <payment id> [options]

Prints a payment.

${COMMON_USAGE}`;

/** `get`: one GetPayment call; a payment that does not exist fails with NOT_FOUND. */
export async function getCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [paymentId, ...extra] = positionals;
  if (paymentId === undefined) throw new UsageError('a payment id is required', USAGE);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, USAGE);
  const payment = await withPaymentsClient(values, io, USAGE, (client) => client.getPayment({ paymentId }));
  io.stdout(
    values.json ? `${JSON.stringify(PaymentService.methods.GetPayment.responseCodec.toJson(payment), null, 2)}\n` : paymentSummary(payment),
  );
  return 0;
}
