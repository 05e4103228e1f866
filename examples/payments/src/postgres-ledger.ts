import { randomUUID } from 'node:crypto';
import type { OnShutdown, OnStart } from '@wirekit/core';
import pg from 'pg';
import { ChangeFeed } from './change-feed.js';
import { toEpochNanos } from './epoch-nanos.js';
import type { Payment } from './gen/payments.js';
import type {
  ChargeOutcome,
  Ledger,
  LedgerChange,
  LedgerListener,
  ListPaymentsQuery,
  NewCharge,
  PaymentPage,
  SettleOutcome,
} from './ledger.js';
import { checkPageSize, decodeCursor, encodeCursor } from './payment-cursor.js';
import { newPaymentId, type PaymentRow, pageFromRows, paymentFromRow } from './payment-row.js';
import { canonicalMetadata, sameCharge } from './same-charge.js';

/** Where the PostgreSQL store keeps its ledger. */
export interface PostgresLedgerOptions {
  /** A `postgres://` or `postgresql://` URL. */
  readonly connectionString: string;
  /** The schema holding the tables, created if missing (tests use one per run); default `payments`. */
  readonly schema?: string;
  /** Connections of this instance's pool; default 10. */
  readonly poolSize?: number;
}

/** What runs a query: the pool (one statement, its own transaction) or a client inside a transaction. */
interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * The shared ledger for several replicas: PostgreSQL through `pg`. Idempotency rests on a UNIQUE constraint on
 * the key (`INSERT … ON CONFLICT DO NOTHING`), not on anything in process, so replicas racing with one key make
 * one payment. A trigger NOTIFYs every insert and settle; it is delivered at commit, to every instance that
 * LISTENs on the schema's channel, this one included, so listeners hear every replica's changes the same way.
 *
 * @example
 * const ledger = new PostgresLedger({ connectionString: 'postgres://postgres@127.0.0.1:5432/payments' });
 * await ledger.onStart(); // migrates and starts listening
 * ledger.subscribe((change) => console.log(change.kind, change.payment.paymentId));
 */
export class PostgresLedger implements Ledger, OnStart, OnShutdown {
  readonly #pool: pg.Pool;
  readonly #connectionString: string;
  readonly #table: string;
  readonly #schema: string;
  readonly #channel: string;
  readonly #feed = new ChangeFeed();
  /** The `changesDelivered` calls waiting for their marker to come back over LISTEN, by marker. */
  readonly #markers = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  /**
   * Notifications not handled yet. They are handled one after another, so listeners hear of changes in commit
   * order even when one has to be read back; all at once when none has to, as a batch arrives.
   */
  readonly #backlog: string[] = [];
  #handling = false;
  #listener: pg.Client | undefined;

  constructor(options: PostgresLedgerOptions) {
    const schema = options.schema ?? 'payments';
    // Interpolated into SQL as an identifier, so only plain lower-case names are accepted.
    if (!/^[a-z_][a-z0-9_]{0,39}$/.test(schema))
      throw new RangeError(`schema must be a lower-case SQL name of at most 40 characters; got "${schema}"`);
    this.#schema = schema;
    this.#table = `"${schema}".payments`;
    this.#channel = `wirekit_payments_${schema}`;
    this.#connectionString = options.connectionString;
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle connection that the server drops is removed by the pool; without a handler the event would crash.
    this.#pool.on('error', (error) => process.emitWarning(error, 'PostgresLedgerWarning'));
  }

  /** Migrates the schema (serialized across replicas by an advisory lock) and starts listening for changes. */
  async onStart(): Promise<void> {
    if (this.#listener) return;
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.#channel]);
      await client.query(migration(this.#schema, this.#table, this.#channel));
    });
    const listener = new pg.Client({ connectionString: this.#connectionString });
    listener.on('error', (error) => {
      this.#failMarkers(error);
      process.emitWarning(error, 'PostgresLedgerWarning');
    });
    listener.on('end', () => this.#failMarkers(new Error('the PostgreSQL ledger stopped listening for changes')));
    listener.on('notification', (message) => {
      const { payload } = message;
      if (message.channel !== this.#channel || !payload) return;
      this.#backlog.push(payload);
      if (!this.#handling) void this.#handleBacklog();
    });
    await listener.connect();
    await listener.query(`LISTEN "${this.#channel}"`);
    this.#listener = listener;
  }

  /** Stops listening and closes the pool. */
  async onShutdown(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end();
    await this.#pool.end();
  }

  /** Drops the schema and everything in it: for tests, which make one schema per run. */
  async dropSchema(): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS "${this.#schema}" CASCADE`);
  }

  async charge(charge: NewCharge): Promise<ChargeOutcome> {
    return this.#recordOne(this.#pool, charge);
  }

  async find(paymentId: string): Promise<Payment | undefined> {
    const { rows } = await this.#pool.query<PaymentRow>(`SELECT * FROM ${this.#table} WHERE payment_id = $1`, [paymentId]);
    return rows[0] ? paymentFromRow(rows[0]) : undefined;
  }

  async listPayments(query: ListPaymentsQuery): Promise<PaymentPage> {
    const limit = checkPageSize(query.limit);
    const after = decodeCursor(query.after).toString();
    const { rows } = query.customerId
      ? await this.#pool.query<PaymentRow>(`SELECT * FROM ${this.#table} WHERE customer_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
          query.customerId,
          after,
          limit + 1,
        ])
      : await this.#pool.query<PaymentRow>(`SELECT * FROM ${this.#table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit + 1]);
    return pageFromRows(rows, limit, query.after);
  }

  /**
   * Inserts in the order of the idempotency keys, not of the entries: each insert of a key another transaction
   * has inserted but not committed waits for it, so two imports of shared keys in different orders would each
   * wait for the other (PostgreSQL ends one with a deadlock error, 40P01). In one order, the import that waits
   * holds no key the other still needs. The ledger keeps the entries' order all the same: their positions are
   * taken first, in entry order, and each insert gets its entry's.
   */
  async importEntries(entries: readonly NewCharge[]): Promise<ChargeOutcome[]> {
    if (entries.length === 0) return [];
    // Stamped in entry order, so creation times follow the ledger's order too.
    const stamped = entries.map((entry) => ({ ...entry, createdAt: entry.createdAt ?? new Date() }));
    const inKeyOrder = stamped.map((_, index) => index).sort((a, b) => compareKeys(stamped, a, b));
    return this.#transaction(async (client) => {
      const { rows } = await client.query<{ seq: string }>(
        'SELECT nextval(pg_get_serial_sequence($1, $2))::text AS seq FROM generate_series(1, $3)',
        [this.#table, 'seq', entries.length],
      );
      const positions = rows.map((row) => BigInt(row.seq)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const outcomes: ChargeOutcome[] = [];
      // One after another on one connection: a key repeated in the batch sees the row its first use inserted
      // (the sort is stable, so its first use in entry order).
      for (const index of inKeyOrder) {
        outcomes[index] = await this.#recordOne(client, stamped[index] as NewCharge, positions[index]?.toString());
      }
      return outcomes;
    });
  }

  async settle(paymentId: string): Promise<SettleOutcome> {
    // The row lock makes a racing UPDATE wait, then re-check the status and match nothing: one settle wins.
    const { rows } = await this.#pool.query<PaymentRow>(
      `UPDATE ${this.#table} SET status = 'PAYMENT_STATUS_SETTLED', settled_at_ns = $2
       WHERE payment_id = $1 AND status = 'PAYMENT_STATUS_SUCCEEDED' RETURNING *`,
      [paymentId, toEpochNanos(new Date()).toString()],
    );
    if (rows[0]) return { kind: 'settled', payment: paymentFromRow(rows[0]) };
    const existing = await this.find(paymentId);
    return existing ? { kind: 'already_settled', payment: existing } : { kind: 'not_found' };
  }

  subscribe(listener: LedgerListener): () => void {
    return this.#feed.subscribe(listener);
  }

  /**
   * Sends a marker on the changes channel and waits for it to come back. PostgreSQL delivers notifications in
   * the order their transactions committed, so once the marker is back, every change committed before it was
   * sent has reached the listeners.
   */
  async changesDelivered(): Promise<void> {
    if (!this.#listener) throw new Error('the PostgreSQL ledger is not listening: the app starts it at listen() (onStart)');
    const marker = randomUUID();
    const back = new Promise<void>((resolve, reject) => this.#markers.set(marker, { resolve, reject }));
    try {
      await this.#pool.query('SELECT pg_notify($1, $2)', [this.#channel, JSON.stringify({ kind: 'marker', marker })]);
    } catch (error: unknown) {
      this.#markers.delete(marker);
      throw error;
    }
    await back;
  }

  /** Records one charge, at `position` when given (taken from the sequence before), else at the next. */
  async #recordOne(db: Queryable, charge: NewCharge, position?: string): Promise<ChargeOutcome> {
    const key = charge.idempotencyKey === '' ? null : charge.idempotencyKey;
    const values = [
      position ?? null,
      newPaymentId(),
      charge.orderId,
      charge.amountCents.toString(),
      charge.currency,
      charge.customerId,
      canonicalMetadata(charge.metadata),
      key,
      toEpochNanos(charge.createdAt ?? new Date()).toString(),
    ];
    // ON CONFLICT DO NOTHING waits for a racing insert of the same key to commit or roll back, so the SELECT
    // below (a new snapshot under READ COMMITTED) sees the winner's row.
    const inserted = await db.query<PaymentRow>(
      `INSERT INTO ${this.#table} (seq, payment_id, order_id, amount_cents, currency, status, customer_id, metadata, idempotency_key, created_at_ns)
       VALUES (COALESCE($1::bigint, nextval(pg_get_serial_sequence('${this.#table}', 'seq'))), $2, $3, $4, $5, 'PAYMENT_STATUS_SUCCEEDED', $6, $7, $8, $9)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      values,
    );
    if (inserted.rows[0]) return { kind: 'created', payment: paymentFromRow(inserted.rows[0]) };
    const { rows } = await db.query<PaymentRow>(`SELECT * FROM ${this.#table} WHERE idempotency_key = $1`, [key]);
    if (!rows[0]) throw new Error(`idempotency key "${key}" conflicted but its payment is not visible`);
    const payment = paymentFromRow(rows[0]);
    return sameCharge(payment, charge) ? { kind: 'replayed', payment } : { kind: 'conflict', existing: payment };
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error: unknown) {
      // A connection whose ROLLBACK fails is in an unknown state: destroy it rather than return it to the pool.
      const rollbackError = await client.query('ROLLBACK').then(
        () => undefined,
        (failure: unknown) => (failure instanceof Error ? failure : new Error(String(failure))),
      );
      client.release(rollbackError);
      throw error;
    }
  }

  #failMarkers(error: Error): void {
    for (const waiting of this.#markers.values()) waiting.reject(error);
    this.#markers.clear();
  }

  async #handleBacklog(): Promise<void> {
    this.#handling = true;
    try {
      for (let payload = this.#backlog.shift(); payload !== undefined; payload = this.#backlog.shift()) {
        const readingBack = this.#onNotification(payload);
        if (readingBack) await readingBack;
      }
    } finally {
      this.#handling = false;
    }
  }

  /** Handles one notification; a promise when the payment has to be read back first. */
  #onNotification(payload: string): Promise<void> | undefined {
    try {
      const message = JSON.parse(payload) as
        | { kind: 'marker'; marker: string }
        | { kind: LedgerChange['kind']; row?: PaymentRow; payment_id: string; seq: string };
      if (message.kind === 'marker') {
        // Another instance's marker (replicas share the channel) is not waited for here.
        this.#markers.get(message.marker)?.resolve();
        this.#markers.delete(message.marker);
        return undefined;
      }
      const cursor = encodeCursor(BigInt(message.seq));
      if (message.row) {
        this.#feed.emit({ kind: message.kind, payment: paymentFromRow(message.row), cursor });
        return undefined;
      }
      // A payment too large for a NOTIFY payload (8000 bytes) comes as its id only and is read back.
      return this.find(message.payment_id).then(
        (payment) => {
          if (payment) this.#feed.emit({ kind: message.kind, payment, cursor });
        },
        (error: unknown) => process.emitWarning(error instanceof Error ? error : String(error), 'PostgresLedgerWarning'),
      );
    } catch (error: unknown) {
      process.emitWarning(error instanceof Error ? error : String(error), 'PostgresLedgerWarning');
      return undefined;
    }
  }
}

/** Orders entries by idempotency key (code unit order, as a sort of strings compares), then by position. */
function compareKeys(entries: readonly NewCharge[], a: number, b: number): number {
  const keyA = entries[a]?.idempotencyKey ?? '';
  const keyB = entries[b]?.idempotencyKey ?? '';
  return keyA < keyB ? -1 : keyA > keyB ? 1 : a - b;
}

/** The schema, table, index and NOTIFY trigger; idempotent, run at every start. */
function migration(schema: string, table: string, channel: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS "${schema}";
    CREATE TABLE IF NOT EXISTS ${table} (
      seq             BIGSERIAL PRIMARY KEY,
      payment_id      TEXT   NOT NULL UNIQUE,
      order_id        TEXT   NOT NULL,
      amount_cents    BIGINT NOT NULL,
      currency        TEXT   NOT NULL,
      status          TEXT   NOT NULL CHECK (status IN ('PAYMENT_STATUS_SUCCEEDED', 'PAYMENT_STATUS_SETTLED')),
      customer_id     TEXT   NOT NULL,
      metadata        TEXT   NOT NULL,
      idempotency_key TEXT   UNIQUE,
      created_at_ns   BIGINT NOT NULL,
      settled_at_ns   BIGINT
    );
    CREATE INDEX IF NOT EXISTS payments_by_customer ON ${table} (customer_id, seq);
    CREATE OR REPLACE FUNCTION "${schema}".notify_payment_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
      kind text := CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'settled' END;
      payload text;
    BEGIN
      -- 64-bit integers as text, so JSON.parse cannot round them through a float.
      payload := json_build_object('kind', kind, 'payment_id', NEW.payment_id, 'seq', NEW.seq::text, 'row', json_build_object(
        'seq', NEW.seq::text, 'payment_id', NEW.payment_id, 'order_id', NEW.order_id,
        'amount_cents', NEW.amount_cents::text, 'currency', NEW.currency, 'status', NEW.status,
        'customer_id', NEW.customer_id, 'metadata', NEW.metadata, 'idempotency_key', NEW.idempotency_key,
        'created_at_ns', NEW.created_at_ns::text, 'settled_at_ns', NEW.settled_at_ns::text))::text;
      IF octet_length(payload) > 7900 THEN
        payload := json_build_object('kind', kind, 'payment_id', NEW.payment_id, 'seq', NEW.seq::text)::text;
      END IF;
      PERFORM pg_notify('${channel}', payload);
      RETURN NULL;
    END $fn$;
    CREATE OR REPLACE TRIGGER notify_payment_change AFTER INSERT OR UPDATE OF status ON ${table}
      FOR EACH ROW EXECUTE FUNCTION "${schema}".notify_payment_change();
  `;
}
