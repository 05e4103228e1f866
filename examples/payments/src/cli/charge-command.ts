import { PaymentService } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { COMMON_USAGE, parseCommandArgs, requiredOption } from './command-args.js';
import { paymentSummary } from './format-payment.js';
import { withPaymentsClient } from './payments-connection.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: npm run payments -- charge --order <id> --amount <cents> --currency <code> --customer <id> [options]

Charges a customer for an order and prints the payment.

Options:
  --order <id>          the order being paid (required)
  --amount <cents>      the amount in minor units, e.g. 1250 for 12.50 EUR (required)
  --currency <code>     an ISO 4217 code, e.g. EUR (required)
  --customer <id>       who is charged (required)
  --key <key>           an idempotency key: a repeat with the same key returns the first payment
  --meta <key=value>    metadata stored with the payment (repeatable)

${COMMON_USAGE}`;

/** `charge`: one Charge call; the payment as a summary, or as proto3 JSON with `--json`. */
export async function chargeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      order: { type: 'string' },
      amount: { type: 'string' },
      currency: { type: 'string' },
      customer: { type: 'string' },
      key: { type: 'string' },
      meta: { type: 'string', multiple: true },
    },
    USAGE,
  );
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, USAGE);
  const request = {
    orderId: requiredOption(values.order, 'order', USAGE),
    amountCents: parseCents(requiredOption(values.amount, 'amount', USAGE)),
    currency: requiredOption(values.currency, 'currency', USAGE),
    customerId: requiredOption(values.customer, 'customer', USAGE),
    idempotencyKey: values.key ?? '',
    metadata: parseMetadata(values.meta ?? []),
  };
  const payment = await withPaymentsClient(values, io, USAGE, (client) => client.charge(request));
  io.stdout(
    values.json ? `${JSON.stringify(PaymentService.methods.Charge.responseCodec.toJson(payment), null, 2)}\n` : paymentSummary(payment),
  );
  return 0;
}

function parseCents(text: string): bigint {
  if (!/^-?\d+$/.test(text))
    throw new UsageError(`--amount must be a whole number of minor units (cents), such as 1250; got "${text}"`, USAGE);
  return BigInt(text);
}

function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new UsageError(`--meta takes key=value; got "${pair}"`, USAGE);
    metadata[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return metadata;
}
