import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OnShutdown, OnStart } from '@wirekit/core';
import Database from 'better-sqlite3';
import { ChangeFeed } from './change-feed.js';
import { toEpochNanos } from './epoch-nanos.js';
import type { Payment } from './gen/payments.js';
import type { ChargeOutcome, Ledger, LedgerListener, ListPaymentsQuery, NewCharge, PaymentPage, SettleOutcome } from './ledger.js';
import { checkPageSize, decodeCursor, encodeCursor } from './payment-cursor.js';
import { newPaymentId, type PaymentRow, pageFromRows, paymentFromRow } from './payment-row.js';
import { canonicalMetadata, sameCharge } from './same-charge.js';

/** Where the SQLite store keeps its file. */
export interface SqliteLedgerOptions {
  /** The database file; its directory is created on open. `:memory:` for a private in-memory database. */
  readonly path: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS payments (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id      TEXT    NOT NULL UNIQUE,
    order_id        TEXT    NOT NULL,
    amount_cents    INTEGER NOT NULL,
    currency        TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('PAYMENT_STATUS_SUCCEEDED', 'PAYMENT_STATUS_SETTLED')),
    customer_id     TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    idempotency_key TEXT    UNIQUE,
    created_at_ns   INTEGER NOT NULL,
    settled_at_ns   INTEGER
  ) STRICT;
  CREATE INDEX IF NOT EXISTS payments_by_customer ON payments (customer_id, seq);
`;

type Statements = ReturnType<typeof prepare>;

/**
 * The embedded ledger: one SQLite file in WAL mode, written by better-sqlite3. Amounts and times are INTEGER
 * columns read with `safeIntegers`, so they come back as exact bigints.
 *
 * Durability: `synchronous = FULL`, so every commit is fsynced to the WAL before `charge` resolves. NORMAL would
 * already survive a `kill -9` (the committed WAL frames are in the OS's page cache), but not a power cut or a
 * kernel crash, and an acknowledged payment must survive those too; the cost is one fsync per commit.
 *
 * @example
 * const ledger = new SqliteLedger({ path: './data/payments.db' });
 * await ledger.onStart();
 * await ledger.charge({ orderId: 'o1', amountCents: 1250n, currency: 'EUR', customerId: 'c1', idempotencyKey: '', metadata: {} });
 * await ledger.onShutdown();
 */
export class SqliteLedger implements Ledger, OnStart, OnShutdown {
  readonly #options: SqliteLedgerOptions;
  readonly #feed = new ChangeFeed();
  #db: Database.Database | undefined;
  #statements: Statements | undefined;

  constructor(options: SqliteLedgerOptions) {
    this.#options = options;
  }

  /** Opens the file (creating it and its directory) and migrates the schema. */
  async onStart(): Promise<void> {
    if (this.#db) return;
    const { path } = this.#options;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (path !== ':memory:' && mode !== 'wal') throw new Error(`SQLite at ${path} refused WAL mode (journal_mode is ${String(mode)})`);
      db.pragma('synchronous = FULL');
      // Another process on the same file (a restarting instance) may hold the write lock for a moment.
      db.pragma('busy_timeout = 5000');
      db.defaultSafeIntegers(true);
      db.exec(SCHEMA);
      this.#statements = prepare(db);
      this.#db = db;
    } catch (error: unknown) {
      db.close();
      throw error;
    }
  }

  /** Closes the file; the WAL is checkpointed into it. */
  async onShutdown(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    this.#statements = undefined;
  }

  async charge(charge: NewCharge): Promise<ChargeOutcome> {
    const [outcome] = this.#recordAll([charge]);
    return outcome as ChargeOutcome;
  }

  async find(paymentId: string): Promise<Payment | undefined> {
    const row = this.#sql().byId.get(paymentId);
    return row ? paymentFromRow(row) : undefined;
  }

  async listPayments(query: ListPaymentsQuery): Promise<PaymentPage> {
    const limit = checkPageSize(query.limit);
    const after = decodeCursor(query.after);
    const sql = this.#sql();
    // One row more than asked tells whether there is a next page.
    const rows = query.customerId ? sql.pageOfCustomer.all(query.customerId, after, limit + 1) : sql.page.all(after, limit + 1);
    return pageFromRows(rows, limit, query.after);
  }

  async importEntries(entries: readonly NewCharge[]): Promise<ChargeOutcome[]> {
    return this.#recordAll(entries);
  }

  async settle(paymentId: string): Promise<SettleOutcome> {
    const sql = this.#sql();
    // One UPDATE guarded by the status: whichever settle (of any process on this file) writes first wins.
    const row = sql.settle.get(toEpochNanos(new Date()), paymentId);
    if (row) {
      const payment = paymentFromRow(row);
      this.#feed.emit({ kind: 'settled', payment, cursor: encodeCursor(BigInt(row.seq)) });
      return { kind: 'settled', payment };
    }
    const existing = sql.byId.get(paymentId);
    return existing ? { kind: 'already_settled', payment: paymentFromRow(existing) } : { kind: 'not_found' };
  }

  subscribe(listener: LedgerListener): () => void {
    return this.#feed.subscribe(listener);
  }

  /** Listeners hear of a change right after its commit, in the same call, so they have heard of every one already. */
  async changesDelivered(): Promise<void> {}

  /**
   * Records charges in one IMMEDIATE transaction (the write lock taken up front, so a second process waits
   * rather than failing on a lock upgrade); listeners hear of them after the commit.
   */
  #recordAll(charges: readonly NewCharge[]): ChargeOutcome[] {
    const db = this.#open();
    const sql = this.#sql();
    const record = db.transaction((batch: readonly NewCharge[]) => batch.map((charge) => recordOne(sql, charge)));
    const recorded = record.immediate(charges);
    for (const { outcome, seq } of recorded) {
      if (outcome.kind === 'created' && seq !== undefined) this.#feed.emit({ ...outcome, cursor: encodeCursor(BigInt(seq)) });
    }
    return recorded.map(({ outcome }) => outcome);
  }

  #open(): Database.Database {
    if (!this.#db) throw new Error('the SQLite ledger is not open: the app starts it at listen() (onStart)');
    return this.#db;
  }

  #sql(): Statements {
    this.#open();
    return this.#statements as Statements;
  }
}

/** The outcome of one charge, and the position of the row it inserted (none when it inserted nothing). */
function recordOne(sql: Statements, charge: NewCharge): { outcome: ChargeOutcome; seq?: bigint | string } {
  if (charge.idempotencyKey !== '') {
    const previous = sql.byIdempotencyKey.get(charge.idempotencyKey);
    if (previous) {
      const payment = paymentFromRow(previous);
      return { outcome: sameCharge(payment, charge) ? { kind: 'replayed', payment } : { kind: 'conflict', existing: payment } };
    }
  }
  const row = sql.insert.get(
    newPaymentId(),
    charge.orderId,
    charge.amountCents,
    charge.currency,
    charge.customerId,
    canonicalMetadata(charge.metadata),
    charge.idempotencyKey === '' ? null : charge.idempotencyKey,
    toEpochNanos(charge.createdAt ?? new Date()),
  );
  return { outcome: { kind: 'created', payment: paymentFromRow(row as PaymentRow) }, seq: (row as PaymentRow).seq };
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare<[string, string, bigint, string, string, string, string | null, bigint], PaymentRow>(
      `INSERT INTO payments (payment_id, order_id, amount_cents, currency, status, customer_id, metadata, idempotency_key, created_at_ns)
       VALUES (?, ?, ?, ?, 'PAYMENT_STATUS_SUCCEEDED', ?, ?, ?, ?) RETURNING *`,
    ),
    byId: db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE payment_id = ?'),
    byIdempotencyKey: db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE idempotency_key = ?'),
    page: db.prepare<[bigint, number], PaymentRow>('SELECT * FROM payments WHERE seq > ? ORDER BY seq LIMIT ?'),
    pageOfCustomer: db.prepare<[string, bigint, number], PaymentRow>(
      'SELECT * FROM payments WHERE customer_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    settle: db.prepare<[bigint, string], PaymentRow>(
      `UPDATE payments SET status = 'PAYMENT_STATUS_SETTLED', settled_at_ns = ?
       WHERE payment_id = ? AND status = 'PAYMENT_STATUS_SUCCEEDED' RETURNING *`,
    ),
  };
}
