import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { POSTGRES_URL } from './stores.js';

/** The durable stores a service process can run on. */
export type DurableStore = 'SQLite' | 'PostgreSQL';

/** A database of its own for service processes (`PAYMENTS_DB`), which outlives each process started on it. */
export interface ServiceDatabase {
  /** The value of `PAYMENTS_DB`. */
  readonly url: string;
  /** Removes it; call after every process on it has exited. */
  drop(): Promise<void>;
}

/**
 * A fresh database for `node dist/main.js`: a SQLite file in a new temporary directory, or a new PostgreSQL
 * database next to WIREKIT_TEST_POSTGRES_URL's. A database rather than a schema, because the service always uses
 * the schema `payments`, and runs in parallel must not share it.
 */
export async function serviceDatabase(store: DurableStore): Promise<ServiceDatabase> {
  if (store === 'SQLite') {
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-service-'));
    return { url: join(directory, 'payments.db'), drop: async () => rmSync(directory, { recursive: true, force: true }) };
  }
  const server = POSTGRES_URL;
  if (!server) throw new Error('a PostgreSQL service database needs WIREKIT_TEST_POSTGRES_URL; gate the suite with storeAvailable()');
  const name = `wk_service_${process.pid}_${randomBytes(4).toString('hex')}`;
  await administer(server, `CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends connections a killed process left for the server to notice.
    drop: () => administer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function administer(connectionString: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
