import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeClient, createClient, Status } from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { importInFlight } from './test-support/held-import.js';
import { entry } from './test-support/serve-payments.js';
import { startService as startWithEnv } from './test-support/service-process.js';

const TOKEN = 'shutdown-test-token-0123456789';
const AUTHORIZED = { metadata: { authorization: `Bearer ${TOKEN}` } };

describe('payments service process, SIGTERM (the built dist/main.js on a SQLite file)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  async function start(env: Record<string, string> = {}) {
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-shutdown-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const database = join(directory, 'payments.db');
    const service = startWithEnv({ PAYMENTS_DB: database, PAYMENTS_API_TOKENS: TOKEN, ...env });
    cleanups.push(() => service.child.kill('SIGKILL'));
    const [, address = ''] = await service.line(/listening on (\S+)/);
    const [, metricsPort = ''] = await service.line(/Metrics: http:\/\/[^:]+:(\d+)\/metrics/);
    expect(Number(metricsPort)).toBeGreaterThan(0);
    const client = createClient(PaymentService, address);
    cleanups.push(() => closeClient(client));
    return { ...service, database, address, client };
  }

  async function ledgerAt(database: string) {
    const ledger = new SqliteLedger({ path: database });
    await ledger.onStart();
    try {
      return (await ledger.listPayments({ limit: 1_000 })).payments;
    } finally {
      await ledger.onShutdown();
    }
  }

  it('refuses new calls, lets an import in progress finish and commit, then exits 0', async () => {
    const service = await start();
    const first = Array.from({ length: 3 }, (_, index) => entry(`k-${index}`));
    const rest = Array.from({ length: 2 }, (_, index) => entry(`k-${index + 3}`));
    const { summary, finish } = await importInFlight(service.client, first, rest, AUTHORIZED);

    service.child.kill('SIGTERM');
    await service.line(/shutting down gracefully/);
    const late = createClient(PaymentService, service.address);
    cleanups.push(() => closeClient(late));
    await expect(late.getPayment({ paymentId: 'pay_late' }, { ...AUTHORIZED, timeoutMs: 5_000 })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
    });

    finish();
    await expect(summary).resolves.toMatchObject({ accepted: 5, rejected: 0, acceptedAmountCents: 5_000n });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const payments = await ledgerAt(service.database);
    expect(payments.map((payment) => payment.orderId)).toEqual([...first, ...rest].map((sent) => sent.orderId));
  });

  it('lets a repeated SIGTERM or SIGINT neither cut the drain short nor start a second one', async () => {
    const service = await start();
    const { summary, finish } = await importInFlight(service.client, [entry('k-0')], [entry('k-1')], AUTHORIZED);

    service.child.kill('SIGTERM');
    await service.line(/shutting down gracefully/);
    service.child.kill('SIGINT');
    await service.line(/"signal":"SIGINT".*already shutting down gracefully/);
    service.child.kill('SIGTERM');
    await service.line(/"signal":"SIGTERM".*already shutting down gracefully/);

    finish();
    await expect(summary).resolves.toMatchObject({ accepted: 2, rejected: 0 });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.output.filter((line) => line.includes('"msg":"shutting down gracefully"'))).toHaveLength(1);
    expect((await ledgerAt(service.database)).map((payment) => payment.orderId)).toEqual(['order-k-0', 'order-k-1']);
  });

  it('cancels an import still open when the grace period ends, commits none of it, and still exits 0', async () => {
    const service = await start({ PAYMENTS_SHUTDOWN_GRACE_MS: '300' });
    const { summary } = await importInFlight(service.client, [entry('k-0'), entry('k-1')], [entry('k-2')], AUTHORIZED);

    service.child.kill('SIGTERM');
    await expect(summary).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(await ledgerAt(service.database)).toEqual([]);
  });
});
