import { randomUUID } from 'node:crypto';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type App,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  type Logger,
  ProtoSet,
  RpcError,
  type ServerMiddleware,
  Status,
  type Unary,
} from '@wirekit/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { EchoRequest, EchoResponse } from '../../../core/src/test-support/echo.generated.js';
import { createRecordingLogger } from '../../../core/src/test-support/harness.js';
import { type ParsedLimit, parseLimit } from './parse-limit.js';
import { rateLimit } from './rate-limit.js';
import { type RedisScriptClient, redisStore } from './redis-store.js';

/** The core's test service (its unary rpc), loaded through `@wirekit/core` like the middleware. */
const EchoService = defineService<{ Echo: Unary<EchoRequest, EchoResponse> }>(
  ProtoSet.load('wirekit/test/v1/echo.proto', {
    includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
  }),
  'wirekit.test.v1.EchoService',
);

const REDIS_URL = process.env.WIREKIT_TEST_REDIS_URL;
if (!REDIS_URL) {
  console.warn('redisStore against a real Redis: not run, because WIREKIT_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');
}

/** Starts one replica of a service limited by `middleware`; returns a client to it. */
async function replica(middleware: ServerMiddleware) {
  const app: App = createApp({ shutdownSignals: [], logger: createSilentLogger(), middleware: [middleware] });
  app.addService(EchoService, { echo: (request) => ({ message: request.message }) }, { allowUnimplemented: true });
  const { address } = await app.listen('127.0.0.1:0');
  const client = createClient(EchoService, address);
  onTestFinished(async () => {
    closeClient(client);
    await app.close({ graceMs: 0 });
  });
  return client;
}

async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (error: unknown) => Status[RpcError.from(error).code],
  );
}

describe.runIf(REDIS_URL)('redisStore against a real Redis', () => {
  // A prefix of its own, so parallel runs (and other services on this Redis) never share a bucket.
  const prefix = `wirekit-test:${randomUUID()}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL as string);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('decides like the in-memory store, on Redis time', async () => {
    const store = redisStore({ client: redis, prefix });
    const perMinute = parseLimit('3/min') as ParsedLimit;
    const decisions = [];
    for (let call = 0; call < 4; call++) decisions.push(await store.take('direct', perMinute, 1));
    expect(decisions.slice(0, 3)).toEqual([
      { allowed: true, remaining: 2, retryAfterMs: 0 },
      { allowed: true, remaining: 1, retryAfterMs: 0 },
      { allowed: true, remaining: 0, retryAfterMs: 0 },
    ]);
    // One token every 20 s; a few milliseconds of Redis time passed between the calls.
    expect(decisions[3]?.allowed).toBe(false);
    expect(decisions[3]?.retryAfterMs).toBeGreaterThan(19_000);
    expect(decisions[3]?.retryAfterMs).toBeLessThanOrEqual(20_000);
    // The bucket expires when it would be full again, so idle callers leave nothing behind.
    const ttl = await redis.pttl(`${prefix}direct`);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('sends its script when Redis does not know it (NOSCRIPT)', async () => {
    // Asking for a script by a hash Redis has never seen gets the real NOSCRIPT reply, without flushing the
    // scripts of everyone else on this Redis.
    const forgetful = {
      evalsha: (_sha: string, ...rest: [number, ...(string | number)[]]) => redis.evalsha('0'.repeat(40), ...rest),
      eval: redis.eval.bind(redis),
    };
    const store = redisStore({ client: forgetful, prefix });
    expect((await store.take('reloaded', parseLimit('1/min') as ParsedLimit, 1)).allowed).toBe(true);
    expect((await store.take('reloaded', parseLimit('1/min') as ParsedLimit, 1)).allowed).toBe(false);
  });

  it('holds one limit across two app instances sharing the Redis', async () => {
    const limiter = () => rateLimit({ limit: '3/min', store: redisStore({ client: redis, prefix }) });
    const first = await replica(limiter());
    const second = await replica(limiter());
    const outcomes = [];
    for (const client of [first, second, first, second, first]) outcomes.push(await outcome(client.echo({ message: 'x' })));
    expect(outcomes).toEqual(['OK', 'OK', 'OK', 'RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED']);
  });

  it('spends each token once when replicas race for it', async () => {
    const first = await replica(rateLimit({ limit: '5/min', store: redisStore({ client: redis, prefix: `${prefix}race:` }) }));
    const second = await replica(rateLimit({ limit: '5/min', store: redisStore({ client: redis, prefix: `${prefix}race:` }) }));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => outcome((index % 2 ? first : second).echo({}))));
    expect(outcomes.filter((result) => result === 'OK')).toHaveLength(5);
  });
});

describe('redisStore when Redis is unreachable', () => {
  let closedPort: number;
  let warnings: ReturnType<typeof createRecordingLogger>;

  beforeAll(async () => {
    // A port nothing listens on: bound, then released.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A client to the closed port that fails each command at once instead of queueing it while it reconnects. */
  function unreachable(): Redis {
    const client = new Redis({
      host: '127.0.0.1',
      port: closedPort,
      password: 'hunter2',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {}); // connection errors are expected here; the limiter reports them
    onTestFinished(() => client.disconnect());
    return client;
  }

  function limiter(failOpen: boolean, logger: Logger): ServerMiddleware {
    return rateLimit({ limit: '1/min', store: redisStore({ client: unreachable(), prefix: 'unused:' }), failOpen, logger });
  }

  it('fails open: every call gets through, and one warning says so without the password', async () => {
    warnings = createRecordingLogger();
    const client = await replica(limiter(true, warnings));
    expect([await outcome(client.echo({})), await outcome(client.echo({})), await outcome(client.echo({}))]).toEqual(['OK', 'OK', 'OK']);
    expect(warnings.entries).toHaveLength(1);
    expect(warnings.entries[0]).toMatchObject({ level: 'warn', fields: { failOpen: true } });
    expect(warnings.entries[0]?.message).toContain('failing open');
    expect(JSON.stringify(warnings.entries)).not.toContain('hunter2');
  });

  it('fails closed: every call is refused with UNAVAILABLE', async () => {
    warnings = createRecordingLogger();
    const client = await replica(limiter(false, warnings));
    expect([await outcome(client.echo({})), await outcome(client.echo({}))]).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(warnings.entries).toHaveLength(1);
    expect(warnings.entries[0]?.message).toContain('failing closed');
  });
});

describe('redisStore timeout', () => {
  const oneAMinute = parseLimit('1/min') as ParsedLimit;

  /** Two ends of a loopback TCP connection: bytes written on one wait in the kernel until the loop reads the other. */
  async function socketPair(): Promise<[Socket, Socket]> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const near = tcpConnect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise<void>((resolve) => near.once('connect', resolve));
    const far = await accepted;
    server.close();
    onTestFinished(() => {
      near.destroy();
      far.destroy();
    });
    return [near, far];
  }

  it('takes a reply that arrived while the process was busy past the deadline, instead of failing open', async () => {
    const [near, far] = await socketPair();
    // A "Redis" whose reply is real I/O: written at once, read only when the event loop polls again.
    const client: RedisScriptClient = {
      evalsha: () =>
        new Promise((resolve) => {
          far.once('data', () => resolve([1, 0, '0', '1765000000000.000']));
          near.write('+OK\r\n');
        }),
      eval: () => Promise.reject(new Error('not used')),
    };
    const decision = redisStore({ client, timeoutMs: 20 }).take('busy', oneAMinute, 1);
    // The process is busy (a long synchronous task, a GC pause) well past the deadline; the reply is waiting.
    const busyUntil = performance.now() + 100;
    while (performance.now() < busyUntil);
    await expect(decision).resolves.toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  it('fails when no reply comes in time', async () => {
    const client: RedisScriptClient = { evalsha: () => new Promise(() => {}), eval: () => new Promise(() => {}) };
    await expect(redisStore({ client, timeoutMs: 20 }).take('silent', oneAMinute, 1)).rejects.toThrow(
      'the rate limit store did not answer within 20 ms',
    );
  });
});
