import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '../ledger.js';
import { MemoryLedger } from '../memory-ledger.js';
import { PostgresLedger } from '../postgres-ledger.js';
import { SqliteLedger } from '../sqlite-ledger.js';

/** The stores the payments suites run on. */
export type StoreName = 'memory' | 'SQLite' | 'PostgreSQL';

/** Opens stores on one shared ledger (several calls: like replicas); `close` closes them all and cleans up. */
export interface StoreFactory {
  open(): Promise<Ledger>;
  close(): Promise<void>;
  /** Whether separately opened stores share one ledger (SQLite on one file, PostgreSQL on one schema). */
  readonly shared: boolean;
}

/** Where the PostgreSQL suites run; unset, they do not run, and say so. */
export const POSTGRES_URL = process.env.WIREKIT_TEST_POSTGRES_URL || undefined;

/** Whether the suites on `store` can run here: PostgreSQL needs WIREKIT_TEST_POSTGRES_URL. */
export function storeAvailable(store: StoreName): boolean {
  return store !== 'PostgreSQL' || POSTGRES_URL !== undefined;
}

/** Says plainly, once per file that calls it, that the PostgreSQL part of `suite` did not run and why. */
export function warnIfPostgresMissing(suite: string): void {
  if (POSTGRES_URL) return;
  console.warn(
    `${suite}, PostgreSQL: not run, because WIREKIT_TEST_POSTGRES_URL is unset (CI sets postgres://postgres@127.0.0.1:5432/test)`,
  );
}

/** One in-memory ledger, returned by every `open`. */
export function memoryStores(): StoreFactory {
  const ledger = new MemoryLedger();
  return { shared: false, open: async () => ledger, close: async () => {} };
}

/** SQLite stores on one file in a fresh temporary directory, removed by `close`. */
export function sqliteStores(): StoreFactory {
  const directory = mkdtempSync(join(tmpdir(), 'wirekit-ledger-'));
  const opened: SqliteLedger[] = [];
  return {
    shared: true,
    async open() {
      const ledger = new SqliteLedger({ path: join(directory, 'nested', 'payments.db') });
      await ledger.onStart();
      opened.push(ledger);
      return ledger;
    },
    async close() {
      for (const ledger of opened.splice(0)) await ledger.onShutdown();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL stores, each with its own pool, on one fresh schema that `close` drops. */
export function postgresStores(): StoreFactory {
  // A schema per factory, so parallel runs (and tests) never see each other's payments.
  const schema = `wk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const opened: PostgresLedger[] = [];
  return {
    shared: true,
    async open() {
      // Made lazily: a suite gated off by `describe.runIf` is still collected, so this must not throw before `open`.
      if (!POSTGRES_URL) throw new Error('PostgreSQL stores need WIREKIT_TEST_POSTGRES_URL; gate the suite with storeAvailable()');
      const ledger = new PostgresLedger({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
      await ledger.onStart();
      opened.push(ledger);
      return ledger;
    },
    async close() {
      await opened[0]?.dropSchema();
      for (const ledger of opened.splice(0)) await ledger.onShutdown();
    },
  };
}

/** The factory for `store`. */
export function storesOf(store: StoreName): StoreFactory {
  switch (store) {
    case 'memory':
      return memoryStores();
    case 'SQLite':
      return sqliteStores();
    case 'PostgreSQL':
      return postgresStores();
  }
}

/** Every store, for `describe.each`; gate each with `describe.runIf(storeAvailable(store))`. */
export const ALL_STORES: readonly StoreName[] = ['memory', 'SQLite', 'PostgreSQL'];
