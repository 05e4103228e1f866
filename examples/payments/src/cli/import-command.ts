import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type LedgerEntry, PaymentService } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { COMMON_USAGE, parseCommandArgs } from './command-args.js';
import { type CsvRecord, csvRecords } from './csv-records.js';
import { formatAmount } from './format-payment.js';
import { importProgress } from './import-progress.js';
import { withPaymentsClient } from './payments-connection.js';
import { UsageError } from './usage-error.js';

const COLUMNS = ['order_id', 'amount_cents', 'currency', 'customer_id', 'idempotency_key'] as const;

const USAGE = `Usage: npm run payments -- import <file.csv> [options]

Streams a CSV ledger to ImportLedger, one entry per row, and prints the summary: entries accepted and
rejected, the amount accepted, and each rejection with its line in the file. The file is read as it is sent;
the import commits when the whole file has been sent (at most 100,000 entries a call).

The first line names the columns: ${COLUMNS.join(',')}
Every entry needs an idempotency key, so that re-running an import never charges twice.

${COMMON_USAGE}`;

type Columns = Record<(typeof COLUMNS)[number], number>;

interface Rejection {
  readonly line: number;
  readonly reason: string;
}

/** `import`: a CSV file as an ImportLedger stream, read lazily, with a progress bar when stderr is a terminal. */
export async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('a CSV file is required', USAGE);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, USAGE);

  const { size } = await stat(file);
  const records = csvRecords(createReadStream(file));
  try {
    const header = await records.next();
    if (header.done) throw new UsageError(`${file} is empty: its first line must name the columns ${COLUMNS.join(',')}`, USAGE);
    const columns = readHeader(header.value);
    const lines: number[] = []; // the file line of each entry sent, by its index in the stream
    const rejectedHere: Rejection[] = [];
    const currencies = new Set<string>();
    const progress = importProgress(io, size);

    async function* entries(): AsyncGenerator<LedgerEntry> {
      for await (const record of records) {
        const entry = toEntry(record, columns);
        if (typeof entry === 'string') {
          rejectedHere.push({ line: record.line, reason: entry });
          continue;
        }
        lines.push(record.line);
        currencies.add(entry.currency);
        progress.update(lines.length, record.bytesRead);
        yield entry;
      }
    }

    const summary = await withPaymentsClient(values, io, USAGE, (client) => client.importLedger(entries())).finally(() => progress.done());
    if (values.json) {
      io.stdout(`${JSON.stringify(PaymentService.methods.ImportLedger.responseCodec.toJson(summary), null, 2)}\n`);
      for (const { line, reason } of rejectedHere) io.stderr(`line ${line}: not sent: ${reason}\n`);
      return 0;
    }
    const rejections = [
      ...rejectedHere,
      ...summary.rejections.map(({ index, reason }) => ({ line: lines[index] ?? Number.NaN, reason })),
    ].sort((a, b) => a.line - b.line);
    const [currency] = currencies;
    const amount =
      currencies.size === 1 && currency !== undefined
        ? formatAmount(summary.acceptedAmountCents, currency)
        : `${summary.acceptedAmountCents} minor units`;
    io.stdout(
      [
        `accepted: ${summary.accepted}`,
        `rejected: ${summary.rejected + rejectedHere.length}`,
        `accepted amount: ${amount}`,
        ...rejections.map(({ line, reason }) => `  line ${line}: ${reason}`),
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await records.return(undefined);
  }
}

function readHeader(record: CsvRecord): Columns {
  const names = record.fields.map((name) => name.trim().toLowerCase());
  const missing = COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new UsageError(
      `the CSV header (line ${record.line}) lacks ${missing.join(', ')}; it must name the columns ${COLUMNS.join(',')}`,
      USAGE,
    );
  }
  return Object.fromEntries(COLUMNS.map((column) => [column, names.indexOf(column)])) as Columns;
}

/** The entry a row states, or why it cannot be sent (the service checks the rest). */
function toEntry(record: CsvRecord, columns: Columns): LedgerEntry | string {
  if (record.unterminated) return 'a quoted field is not closed before the end of the file';
  const field = (column: keyof Columns): string => record.fields[columns[column]]?.trim() ?? '';
  const expected = Object.keys(columns).length;
  if (record.fields.length < expected) return `expected ${expected} fields, found ${record.fields.length}`;
  const amount = field('amount_cents');
  if (!/^-?\d+$/.test(amount)) return `amount_cents must be a whole number of minor units (cents); got "${amount}"`;
  return {
    orderId: field('order_id'),
    amountCents: BigInt(amount),
    currency: field('currency'),
    customerId: field('customer_id'),
    idempotencyKey: field('idempotency_key'),
  };
}
