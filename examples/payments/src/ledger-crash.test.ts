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

/**
 * Starts the child on `path` and collects its stdout lines; `printed(count)` resolves once it has printed `count`
 * lines. `exited` resolves with the signal that ended it once its output is closed, so `lines` is then complete.
 */
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
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
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

  /**
   * Runs imports of 10,000 entries on a fresh file and kills the child as soon as it says it starts the second,
   * so the kill lands inside that import's transaction (each takes hundreds of milliseconds; the parent reacts
   * within a few). The proof it did is that the child never acknowledged the second import; on a machine so
   * stalled that it did, the run is repeated on a fresh file, a bounded number of times.
   */
  async function killDuringSecondImport() {
    const attempts = 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const path = databaseFile();
      const run = startChild(path, 'import');
      await run.printed(4);
      expect(run.lines.slice(0, 4)).toEqual(['ready', 'importing batch-0', 'imported batch-0', 'importing batch-1']);
      kill(run.child);
      expect(await run.exited).toBe('SIGKILL');
      if (!run.lines.includes('imported batch-1')) return { path, lines: run.lines };
    }
    throw new Error(`in ${attempts} attempts the kill never landed before the second import was acknowledged`);
  }

  it('leaves each import of 10,000 entries whole or absent, killed in the middle of one', async () => {
    const { path, lines } = await killDuringSecondImport();
    expect(lines).toEqual(['ready', 'importing batch-0', 'imported batch-0', 'importing batch-1']);
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
      // The acknowledged import is whole; the one killed is absent (or whole, had the kill fallen between its
      // commit and its acknowledgement), never a part.
      expect(perBatch.get('batch-0')).toBe(10_000);
      expect([undefined, 10_000]).toContain(perBatch.get('batch-1'));
      expect([...perBatch.keys()].filter((batch) => batch !== 'batch-0' && batch !== 'batch-1')).toEqual([]);
    } finally {
      await ledger.onShutdown();
    }
  });
});
