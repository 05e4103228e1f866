import { randomBytes } from 'node:crypto';
import { type Channel, closeClient, createChannel, createClient, RpcError, Status } from '@wirekit/core';
import { retry } from '@wirekit/middleware/retry';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChargeRequest, PaymentService } from './gen/payments.js';
import type { PaymentsClient } from './test-support/serve-payments.js';
import { startService } from './test-support/service-process.js';
import { POSTGRES_URL, warnIfPostgresMissing } from './test-support/stores.js';

const SUITE = 'payments service, three replica processes on one PostgreSQL and one Redis';
const REDIS_URL = process.env.WIREKIT_TEST_REDIS_URL || undefined;
warnIfPostgresMissing(SUITE);
if (!REDIS_URL) console.warn(`${SUITE}: not run, because WIREKIT_TEST_REDIS_URL is unset (CI sets redis://127.0.0.1:6379)`);

const CHARGE = '/payments.v1.PaymentService/Charge';
// One token per part of the test: the limit counts per caller (the token's identity), so each part has a bucket
// of its own, and the failover traffic is spread over three callers to stay under the limit.
const CALLERS = ['spread', 'idempotency', 'limit', 'failover-0', 'failover-1', 'failover-2'] as const;
type Caller = (typeof CALLERS)[number];
const TOKENS = CALLERS.map((caller) => `${caller}-${randomBytes(12).toString('hex')}`);
const as = (caller: Caller) => ({ metadata: { authorization: `Bearer ${TOKENS[CALLERS.indexOf(caller)]}` }, timeoutMs: 10_000 });
// 20 per hour: one token back every 3 minutes, never within this test, so exactly 20 Charge calls per caller can
// pass in all. (At 20/min one would come back every 3 s, and the count would depend on how fast the calls went.)
const LIMIT = 20;

const charge = (customerId: string, idempotencyKey: string): ChargeRequest => ({
  orderId: `order-${idempotencyKey}`,
  amountCents: 1_250n,
  currency: 'EUR',
  customerId,
  idempotencyKey,
  metadata: {},
});

/** One replica: the built dist/main.js in a process of its own, and a client to it alone. */
interface Replica {
  readonly name: string;
  readonly address: string;
  readonly metricsUrl: string;
  readonly direct: PaymentsClient;
  readonly service: ReturnType<typeof startService>;
}

/** Calls of `method` each replica has started (`grpc_server_started_total`, counted before any handler runs). */
async function started(replicas: readonly Replica[], method: string): Promise<number[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      const text = await (await fetch(replica.metricsUrl)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('grpc_server_started_total{') && line.includes(`grpc_method="${method}"`)) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    }),
  );
}

const minus = (after: readonly number[], before: readonly number[]) => after.map((count, index) => count - (before[index] ?? 0));

describe.runIf(POSTGRES_URL && REDIS_URL)(SUITE, () => {
  const database = `wk_replicas_${process.pid}_${randomBytes(4).toString('hex')}`;
  const redisPrefix = `wirekit-test:${database}:`;
  const replicas: Replica[] = [];
  /** Every process started, ready or not, for afterAll to stop. */
  const afterAllKills: ReturnType<typeof startService>[] = [];
  let admin: pg.Client;
  let ledger: pg.Client;
  let redis: Redis;
  let channel: Channel;
  /** The client on round_robin over all three replicas. */
  let fleet: PaymentsClient;
  /** The same channel under the retry wrapper, which retries UNAVAILABLE. */
  let fleetWithRetry: PaymentsClient;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(POSTGRES_URL ?? '');
    url.pathname = `/${database}`;
    redis = new Redis(REDIS_URL ?? '');
    const env = {
      PAYMENTS_DB: url.href,
      PAYMENTS_REDIS_URL: REDIS_URL ?? '',
      PAYMENTS_REDIS_PREFIX: redisPrefix,
      PAYMENTS_API_TOKENS: TOKENS.join(','),
      PAYMENTS_RATE_LIMIT: `${LIMIT}/h`,
    };
    const services = ['a', 'b', 'c'].map((name) => ({ name, service: startService(env) }));
    // Pushed before anything can fail, so that afterAll kills every process started.
    const starting = services.map(async ({ name, service }): Promise<Replica> => {
      const [, address = ''] = await service.line(/listening on (\S+)/);
      const [, metricsUrl = ''] = await service.line(/Metrics: (http:\/\/\S+\/metrics)/);
      await service.line(/Charge rate limit: 20\/h per caller \(PAYMENTS_RATE_LIMIT\), counted in Redis/);
      return { name, address, metricsUrl, direct: createClient(PaymentService, address), service };
    });
    afterAllKills.push(...services.map(({ service }) => service));
    replicas.push(...(await Promise.all(starting)));
    ledger = new pg.Client({ connectionString: url.href });
    await ledger.connect();
    channel = createChannel(`ipv4:${replicas.map((replica) => replica.address).join(',')}`, { loadBalancing: 'round_robin' });
    fleet = createClient(PaymentService, channel);
    const withRetry = retry({
      maxAttempts: 5,
      // Charge is safe to send again here because every charge of this test carries an idempotency key.
      idempotentMethods: [CHARGE],
    });
    fleetWithRetry = createClient(PaymentService, withRetry(channel));
    // Three processes loading the service at once: about 2 s on a quiet machine, 19 s seen on a 2-core machine
    // at load average 21, so more than the default 30 s is allowed here.
  }, 60_000);

  afterAll(async () => {
    channel?.close();
    for (const replica of replicas) closeClient(replica.direct);
    // SIGTERM drains (and closes each replica's Redis connection); processes already gone just report their exit.
    for (const service of afterAllKills) service.child.kill('SIGTERM');
    await Promise.all(afterAllKills.map((service) => service.exited));
    await ledger?.end();
    if (redis) {
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('spreads calls over all three replicas', async () => {
    const payment = await fleet.charge(charge('cust-spread', 'spread'), as('spread'));
    const before = await started(replicas, 'GetPayment');
    for (let index = 0; index < 30; index++) {
      await expect(fleet.getPayment({ paymentId: payment.paymentId }, as('spread'))).resolves.toMatchObject({ orderId: 'order-spread' });
    }
    const served = minus(await started(replicas, 'GetPayment'), before);
    expect(served.reduce((sum, count) => sum + count, 0)).toBe(30);
    for (const count of served) expect(count).toBeGreaterThan(0);
  });

  it('makes one payment of the same Charge sent 15 times at once through the fleet, seen by every replica', async () => {
    const before = await started(replicas, 'Charge');
    const payments = await Promise.all(
      Array.from({ length: 15 }, () => fleet.charge(charge('cust-idempotency', 'the-same-key'), as('idempotency'))),
    );
    const raced = minus(await started(replicas, 'Charge'), before);
    // The racing calls reached every replica, so the one payment is not one process deduplicating on its own.
    for (const count of raced) expect(count).toBeGreaterThan(0);
    const ids = new Set(payments.map((payment) => payment.paymentId));
    expect(ids.size).toBe(1);
    const [paymentId = ''] = ids;
    const { rows } = await ledger.query('SELECT payment_id FROM payments.payments WHERE customer_id = $1', ['cust-idempotency']);
    expect(rows).toEqual([{ payment_id: paymentId }]);
    for (const replica of replicas) {
      await expect(replica.direct.getPayment({ paymentId }, as('idempotency'))).resolves.toMatchObject({ paymentId, amountCents: 1_250n });
    }
  });

  it(`lets one caller make ${LIMIT} charges across the whole fleet, not ${LIMIT} per replica`, async () => {
    const before = await started(replicas, 'Charge');
    const outcomes = await Promise.all(
      Array.from({ length: LIMIT + 16 }, (_, index) =>
        fleet.charge(charge('cust-limit', `limit-${index}`), as('limit')).then(
          () => undefined,
          (error: unknown) => RpcError.from(error),
        ),
      ),
    );
    const reached = minus(await started(replicas, 'Charge'), before);
    for (const count of reached) expect(count).toBeGreaterThan(0);
    const refused = outcomes.filter((outcome) => outcome !== undefined);
    // A replica whose Redis calls time out fails open (and says so once): that would let more through.
    const failedOpen = replicas.flatMap((replica) =>
      replica.service.output.filter((line) => line.includes('rate limit store unavailable')),
    );
    expect(failedOpen).toEqual([]);
    expect(outcomes.length - refused.length).toBe(LIMIT);
    expect(refused).toHaveLength(16);
    for (const error of refused) {
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      const [retryInfo] = error.findDetails('google.rpc.RetryInfo');
      // The next token of a 20/h bucket comes back within 3 minutes.
      expect(retryInfo?.retryDelay.seconds).toBeGreaterThan(0);
      expect(retryInfo?.retryDelay.seconds).toBeLessThanOrEqual(180);
    }
    const { rows } = await ledger.query('SELECT count(*)::int AS charged FROM payments.payments WHERE customer_id = $1', ['cust-limit']);
    expect(rows).toEqual([{ charged: LIMIT }]);
  });

  it('keeps charging on the two left when one is killed mid-traffic, and every acknowledged payment is in the ledger', async () => {
    const [a, b, victim] = replicas as [Replica, Replica, Replica];
    const acknowledged = new Map<string, string>();
    const failures: unknown[] = [];
    let reachedKillPoint!: () => void;
    const killPoint = new Promise<void>((resolve) => (reachedKillPoint = resolve));
    // Three callers, ten charges each, one after another; the kill comes once nine are acknowledged.
    const worker = async (caller: number) => {
      for (let index = 0; index < 10; index++) {
        const key = `failover-${caller}-${index}`;
        try {
          const payment = await fleetWithRetry.charge(charge('cust-failover', key), as(`failover-${caller}` as Caller));
          acknowledged.set(key, payment.paymentId);
          if (acknowledged.size === 9) reachedKillPoint();
        } catch (error: unknown) {
          failures.push(error);
        }
      }
    };
    const traffic = Promise.all([0, 1, 2].map(worker));
    await killPoint;
    victim.service.child.kill('SIGKILL');
    expect(await victim.service.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = acknowledged.size;
    const beforeRest = await started([a, b], 'Charge');
    await traffic;
    const servedAfterKill = minus(await started([a, b], 'Charge'), beforeRest);

    expect(failures).toEqual([]);
    expect(acknowledged.size).toBe(30);
    expect(killedAt).toBeLessThan(30);
    for (const count of servedAfterKill) expect(count).toBeGreaterThan(0);
    const { rows } = await ledger.query<{ idempotency_key: string; payment_id: string }>(
      'SELECT idempotency_key, payment_id FROM payments.payments WHERE customer_id = $1',
      ['cust-failover'],
    );
    // Exactly the acknowledged payments: none lost with the killed replica, none made twice by a retry.
    expect(new Map(rows.map((row) => [row.idempotency_key, row.payment_id]))).toEqual(acknowledged);
    expect(rows).toHaveLength(30);
  });
});
