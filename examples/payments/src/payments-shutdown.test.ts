import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClient, createClient, Status } from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type LedgerEntry, PaymentService } from './gen/payments.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { entry, type PaymentsClient } from './test-support/serve-payments.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TOKEN = 'shutdown-test-token-0123456789';
const AUTHORIZED = { metadata: { authorization: `Bearer ${TOKEN}` } };

/**
 * Starts the built service as `node dist/main.js` (as deployments should: npm would not forward SIGTERM) on port 0,
 * and reads its output line by line; `line(pattern)` resolves with the first line matching, or rejects at exit.
 */
function startService(database: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PAYMENTS_ADDR: '127.0.0.1:0',
      PAYMENTS_METRICS_ADDR: '127.0.0.1:0',
      PAYMENTS_DB: database,
      PAYMENTS_API_TOKENS: TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      const match = line.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  for (const output of [child.stdout, child.stderr]) {
    let buffer = '';
    output.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (buffer + chunk).split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const seen = lines.map((earlier) => earlier.match(pattern)).find((match) => match !== null);
      if (seen) return resolve(seen);
      waiters.push({ pattern, resolve });
      void exited.then(({ code }) =>
        reject(new Error(`the service exited (${code}) before printing ${pattern}: ${lines.slice(-5).join(' | ')}`)),
      );
    });
  return { child, exited, line };
}

/** An ImportLedger stream that sends `first`, then waits for `finish()` (if ever) before sending `rest`. */
function pausedImport(first: readonly LedgerEntry[], rest: readonly LedgerEntry[]) {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let paused!: () => void;
  const isPaused = new Promise<void>((resolve) => (paused = resolve));
  const entries = (async function* () {
    yield* first;
    paused();
    await finished;
    yield* rest;
  })();
  return { entries, isPaused, finish };
}

describe('payments service process, SIGTERM (the built dist/main.js on a SQLite file)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  async function start(env: Record<string, string> = {}) {
    expect(existsSync(MAIN), `${MAIN} is missing: run "npx tsc -b" first`).toBe(true);
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-shutdown-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const database = join(directory, 'payments.db');
    const service = startService(database, env);
    cleanups.push(() => service.child.kill('SIGKILL'));
    const [, address = ''] = await service.line(/listening on (\S+)/);
    const [, metricsPort = ''] = await service.line(/Metrics: http:\/\/[^:]+:(\d+)\/metrics/);
    expect(Number(metricsPort)).toBeGreaterThan(0);
    const client = createClient(PaymentService, address);
    cleanups.push(() => closeClient(client));
    return { ...service, database, address, client };
  }

  /** Starts an import that has sent `first` and is held open, and makes sure the server is handling it. */
  async function importInFlight(client: PaymentsClient, first: readonly LedgerEntry[], rest: readonly LedgerEntry[]) {
    const held = pausedImport(first, rest);
    const summary = client.importLedger(held.entries, AUTHORIZED);
    summary.catch(() => {}); // awaited by the test; this keeps an early failure from being unhandled meanwhile
    await held.isPaused;
    // A later call on the same connection: once it is answered, the server has read the import's headers and the
    // entries sent before it (HTTP/2 frames arrive in order), so the import is in its handler.
    await expect(client.getPayment({ paymentId: 'pay_barrier' }, AUTHORIZED)).rejects.toMatchObject({ code: Status.NOT_FOUND });
    return { summary, finish: held.finish };
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
    const { summary, finish } = await importInFlight(service.client, first, rest);

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

  it('cancels an import still open when the grace period ends, commits none of it, and still exits 0', async () => {
    const service = await start({ PAYMENTS_SHUTDOWN_GRACE_MS: '300' });
    const { summary } = await importInFlight(service.client, [entry('k-0'), entry('k-1')], [entry('k-2')]);

    service.child.kill('SIGTERM');
    await expect(summary).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(await ledgerAt(service.database)).toEqual([]);
  });
});
