import { type Client, closeClient, createClient, type ServerMiddleware } from '@wirekit/core';
import { createTestApp } from '@wirekit/testing';
import { onTestFinished } from 'vitest';
import { type LedgerEntry, PaymentService } from '../gen/payments.js';
import type { Ledger, LedgerListener, ListPaymentsQuery, NewCharge } from '../ledger.js';
import { LEDGER } from '../ledger.js';
import { createPaymentsApp, PAYMENTS_MODULE } from '../payments-app.js';
import { DEFAULT_STREAM_LIMITS, type PaymentStreamLimits, STREAM_LIMITS } from '../stream-limits.js';
import { ALL_STORES, type StoreFactory, type StoreName, storesOf } from './stores.js';

/** A client of the payments service. */
export type PaymentsClient = Client<typeof PaymentService>;

/** How a test reaches the service: the testing package's in-memory app, or a real server on a loopback port. */
export type Transport = 'in memory' | 'over loopback';

/** Every transport on every store, for `describe.each`; gate each with `describe.runIf(storeAvailable(store))`. */
export const SERVICE_CASES: readonly [Transport, StoreName][] = ALL_STORES.flatMap((store): [Transport, StoreName][] => [
  ['in memory', store],
  ['over loopback', store],
]);

/** Work a test does while the service reads a page: `pageIndex` counts the pages read by every caller, from 0. */
export type PageReadHook = (pageIndex: number) => Promise<void>;

/**
 * A store that counts the pages read and the live subscriptions, so tests can see what the server holds; tests
 * can make changes right before a page is read (`beforePageRead`) and right after, before the reader has it
 * (`afterPageRead`).
 */
export class CountingLedger implements Ledger {
  pagesRead = 0;
  subscriptions = 0;
  beforePageRead: PageReadHook | undefined;
  afterPageRead: PageReadHook | undefined;
  readonly #unsubscribed: (() => void)[] = [];
  constructor(private readonly inner: Ledger) {}
  charge(charge: NewCharge) {
    return this.inner.charge(charge);
  }
  find(paymentId: string) {
    return this.inner.find(paymentId);
  }
  async listPayments(query: ListPaymentsQuery) {
    const pageIndex = this.pagesRead++;
    await this.beforePageRead?.(pageIndex);
    const page = await this.inner.listPayments(query);
    await this.afterPageRead?.(pageIndex);
    return page;
  }
  importEntries(entries: readonly NewCharge[]) {
    return this.inner.importEntries(entries);
  }
  settle(paymentId: string) {
    return this.inner.settle(paymentId);
  }
  subscribe(listener: LedgerListener): () => void {
    const unsubscribe = this.inner.subscribe(listener);
    this.subscriptions++;
    let done = false;
    return () => {
      unsubscribe();
      if (done) return;
      done = true;
      this.subscriptions--;
      if (this.subscriptions === 0) for (const resolve of this.#unsubscribed.splice(0)) resolve();
    };
  }
  changesDelivered() {
    return this.inner.changesDelivered();
  }
  /** Resolves once no subscription is left. */
  async noSubscriptions(): Promise<void> {
    if (this.subscriptions > 0) await new Promise<void>((resolve) => this.#unsubscribed.push(resolve));
  }
  /** Every payment, oldest first. */
  async all() {
    return (await this.inner.listPayments({ limit: 1_000 })).payments;
  }
}

/**
 * The service on `ledger` through `transport`, with `middleware` (none by default; `paymentsMiddleware(…)` for the
 * production chain); `close` closes it (again: the same promise).
 */
export async function serveLedger(
  transport: Transport,
  ledger: Ledger,
  limits: Partial<PaymentStreamLimits> = {},
  middleware: readonly ServerMiddleware[] = [],
) {
  const providers = [
    { provide: LEDGER, useValue: ledger },
    { provide: STREAM_LIMITS, useValue: { ...DEFAULT_STREAM_LIMITS, ...limits } },
  ];
  let close: () => Promise<void>;
  let client: PaymentsClient;
  if (transport === 'in memory') {
    const testApp = await createTestApp({ ...PAYMENTS_MODULE, middleware, overrides: providers });
    client = testApp.client(PaymentService);
    close = () => testApp.close();
  } else {
    const app = createPaymentsApp({ shutdownSignals: [], middleware, providers: [...PAYMENTS_MODULE.providers, ...providers] });
    const { address } = await app.listen('127.0.0.1:0');
    const tcpClient = createClient(PaymentService, address);
    client = tcpClient;
    close = async () => {
      closeClient(tcpClient);
      await app.close({ graceMs: 1_000 });
    };
  }
  let closed: Promise<void> | undefined;
  const closeOnce = () => {
    closed ??= close();
    return closed;
  };
  return { client, close: closeOnce };
}

/**
 * The service on a fresh `store` through `transport`, with a counting ledger; after the test the service closes
 * first (it waits for its handlers), then the store (a SQLite file removed, a PostgreSQL schema dropped).
 */
export async function serve(
  transport: Transport,
  store: StoreName,
  limits: Partial<PaymentStreamLimits> = {},
  middleware: readonly ServerMiddleware[] = [],
) {
  const stores: StoreFactory = storesOf(store);
  let served: Awaited<ReturnType<typeof serveLedger>> | undefined;
  // One hook, so the order does not depend on how the runner sequences several.
  onTestFinished(async () => {
    try {
      await served?.close();
    } finally {
      await stores.close();
    }
  });
  const ledger = new CountingLedger(await stores.open());
  served = await serveLedger(transport, ledger, limits, middleware);
  return { ...served, ledger, stores };
}

/** A valid charge for the ledger, with no idempotency key. */
export const charge = (customerId: string, orderId: string): NewCharge => ({
  orderId,
  amountCents: 1_000n,
  currency: 'EUR',
  customerId,
  idempotencyKey: '',
  metadata: {},
});

/** A valid ImportLedger entry keyed `key`. */
export const entry = (key: string, amountCents = 1_000n): LedgerEntry => ({
  orderId: `order-${key}`,
  amountCents,
  currency: 'EUR',
  customerId: 'cust-1',
  idempotencyKey: key,
});
