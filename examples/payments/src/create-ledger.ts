import { resolve } from 'node:path';
import type { OnShutdown, OnStart } from '@wirekit/core';
import type { Ledger } from './ledger.js';
import type { PaymentsConfig } from './payments-config.js';
import { PostgresLedger } from './postgres-ledger.js';
import { SqliteLedger } from './sqlite-ledger.js';

/** A durable store: a ledger the app opens at `listen()` and closes at shutdown. */
export type LedgerStore = Ledger & OnStart & OnShutdown;

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * The store `PAYMENTS_DB` names: a `postgres://` or `postgresql://` URL gives the shared PostgreSQL ledger (for
 * several replicas), anything else is a SQLite file path (the embedded default, `./data/payments.db`).
 *
 * @example
 * const ledger = createLedger({ database: process.env.PAYMENTS_DB ?? './data/payments.db' });
 */
export function createLedger(config: Pick<PaymentsConfig, 'database'>): LedgerStore {
  return POSTGRES_URL.test(config.database)
    ? new PostgresLedger({ connectionString: config.database })
    : new SqliteLedger({ path: config.database });
}

/** One line naming the store for the start-up banner; a PostgreSQL URL is shown without its credentials. */
export function describeLedger(config: Pick<PaymentsConfig, 'database'>): string {
  if (!POSTGRES_URL.test(config.database)) return `SQLite at ${resolve(config.database)} (WAL, synchronous=FULL)`;
  const url = new URL(config.database);
  return `PostgreSQL at ${url.host}${url.pathname} (shared by every replica)`;
}
