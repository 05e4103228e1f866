// Child process of ledger-crash.test.ts: runs the BUILT SQLite store and prints each acknowledged result, so the
// parent can kill it with SIGKILL at any moment and check that nothing acknowledged was lost.
// Usage: node ledger-crash-child.mjs <database file> charge|import
import { SqliteLedger } from '../dist/sqlite-ledger.js';

const [path, mode] = process.argv.slice(2);
const ledger = new SqliteLedger({ path });
await ledger.onStart();
const base = { amountCents: 1250n, currency: 'EUR', customerId: 'crash', metadata: {} };
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  if (mode === 'charge') {
    const outcome = await ledger.charge({ ...base, orderId: `o-${round}`, idempotencyKey: '' });
    process.stdout.write(`${outcome.payment.paymentId}\n`);
  } else {
    const entries = Array.from({ length: 10_000 }, (_, index) => ({
      ...base,
      orderId: `batch-${round}`,
      idempotencyKey: `b${round}-${index}`,
    }));
    process.stdout.write(`importing batch-${round}\n`);
    await ledger.importEntries(entries);
    process.stdout.write(`imported batch-${round}\n`);
  }
}
