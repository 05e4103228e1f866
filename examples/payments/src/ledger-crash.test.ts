import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payment } from './gen/payments.js';
import { SqliteLedger } from './sqlite-ledger.js';

const CHILD = fileURLToPath(new URL('../test/ledger-crash-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/sqlite-ledger.js', import.meta.url));

/** Starts the child on `path` and collects its stdout lines; resolves once it has printed `lines` lines. */
function startChild(path: string, mode: 'charge' | 'import') {
  const child = spawn(process.execPath, [CHILD, path, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffer = '';
  const waiters: { count: number; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const waiter of waiters.filter((w) => lines.length >= w.count)) waiter.resolve();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return {
    child,
    lines,
    exited,
    printed: (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (lines.length >= count) return resolve();
        waiters.push({ count, resolve });
        void exited.then(() => reject(new Error(`the child exited after ${lines.length} lines: ${lines.slice(-3).join(' | ')}`)));
      }),
  };
}

describe('SQLite ledger, kill -9 (a child process running the built store)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  function databaseFile(): string {
    expect(existsSync(BUILT), `${BUILT} is missing: run "npx tsc -b" first`).toBe(true);
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-crash-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    return join(directory, 'payments.db');
  }
  function kill(child: ChildProcess): void {
    cleanups.push(() => child.kill('SIGKILL'));
    child.kill('SIGKILL');
  }

  it('loses no acknowledged payment', async () => {
    const path = databaseFile();
    const run = startChild(path, 'charge');
    await run.printed(200);
    kill(run.child);
    expect(await run.exited).toBe('SIGKILL');
    const acknowledged = run.lines.filter((line) => line.startsWith('pay_'));
    const ledger = new SqliteLedger({ path });
    await ledger.onStart();
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if (!(await ledger.find(id))) missing.push(id);
      expect(missing).toEqual([]);
      expect(acknowledged.length).toBeGreaterThanOrEqual(199);
    } finally {
      await ledger.onShutdown();
    }
  });

  it('leaves each import of 10,000 entries whole or absent', async () => {
    const path = databaseFile();
    const run = startChild(path, 'import');
    // Killed while its second batch is being written: the first is acknowledged, the second in flight.
    await run.printed(4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    kill(run.child);
    await run.exited;
    const ledger = new SqliteLedger({ path });
    await ledger.onStart();
    try {
      const perBatch = new Map<string, number>();
      let page = await ledger.listPayments({ limit: 1000 });
      for (;;) {
        for (const payment of page.payments as Payment[]) perBatch.set(payment.orderId, (perBatch.get(payment.orderId) ?? 0) + 1);
        if (!page.hasMore) break;
        page = await ledger.listPayments({ limit: 1000, after: page.cursor });
      }
      expect(perBatch.get('batch-0')).toBe(10_000);
      for (const [batch, count] of perBatch) expect([batch, count]).toEqual([batch, 10_000]);
      const acknowledged = run.lines.filter((line) => line.startsWith('imported ')).map((line) => line.slice('imported '.length));
      for (const batch of acknowledged) expect(perBatch.get(batch)).toBe(10_000);
    } finally {
      await ledger.onShutdown();
    }
  });
});
