import { PaymentService } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { COMMON_USAGE, parseCommandArgs } from './command-args.js';
import { paymentLine } from './format-payment.js';
import { withPaymentsClient } from './payments-connection.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: npm run payments -- watch [--customer <id>] [--follow] [options]

Prints one line per payment, oldest first; with --follow, then one line per payment created or settled,
until Ctrl-C.

Options:
  --customer <id>   only this customer's payments (default: everyone's)
  --follow          stay open for new events after the existing payments

${COMMON_USAGE}`;

/** `watch`: a WatchPayments stream, one line per event; an abort of `io.signal` (Ctrl-C) ends it with 0. */
export async function watchCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { customer: { type: 'string' }, follow: { type: 'boolean', default: false } },
    USAGE,
  );
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, USAGE);
  const { signal } = io;
  const codec = PaymentService.methods.WatchPayments.responseCodec;
  return withPaymentsClient(values, io, USAGE, async (client) => {
    try {
      const events = client.watchPayments({ customerId: values.customer ?? '', follow: values.follow }, signal ? { signal } : {});
      for await (const event of events) {
        if (values.json) io.stdout(`${JSON.stringify(codec.toJson(event))}\n`);
        else io.stdout(`${kindWord(event.kind).padEnd(8)}  ${event.payment ? paymentLine(event.payment) : '(no payment)'}\n`);
      }
    } catch (error: unknown) {
      // Ctrl-C is how a follower is meant to stop: the call ends CANCELLED, and the command succeeds.
      if (signal?.aborted) return 0;
      throw error;
    }
    return 0;
  });
}

function kindWord(kind: string | number): string {
  return typeof kind === 'number' ? `kind ${kind}` : kind.replace(/^KIND_/, '');
}
