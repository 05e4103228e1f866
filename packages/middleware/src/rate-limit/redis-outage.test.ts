import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { RpcError, Status } from '@wirekit/core';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRecordingLogger } from '../../../core/src/test-support/harness.js';
import { serveEcho } from '../test-support/echo-service.js';
import { rateLimit } from './rate-limit.js';
import { redisStore } from './redis-store.js';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy.js';

const REDIS_URL = process.env.WIREKIT_TEST_REDIS_URL;
if (!REDIS_URL) {
  console.warn('redisStore through a Redis outage: not run, because WIREKIT_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');
}

/** How long the store waits for Redis before it counts a decision as failed. */
const STORE_TIMEOUT_MS = 400;
/**
 * The deadline of every call made during the outage: the store's timeout plus room for a loaded machine. A call
 * that the Redis client held until it reconnected (seconds, with ioredis's defaults) would end DEADLINE_EXCEEDED.
 */
const CALL_DEADLINE_MS = STORE_TIMEOUT_MS + 1_600;

async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (error: unknown) => Status[RpcError.from(error).code],
  );
}

describe.runIf(REDIS_URL)('redisStore through a Redis outage', () => {
  const target = new URL(REDIS_URL ?? 'redis://127.0.0.1:6379');
  // A prefix of its own, so parallel runs (and other services on this Redis) never share a bucket.
  const prefix = `wirekit-test:outage:${randomUUID()}:`;
  let proxy: TcpProxy;
  let direct: Redis;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    direct = new Redis(target.toString());
  });

  afterAll(async () => {
    const keys = await direct.keys(`${prefix}*`);
    if (keys.length > 0) await direct.del(...keys);
    await direct.quit();
    await proxy.close();
  });

  /** A Redis client that reaches the real Redis through the proxy, connected and ready. */
  async function throughProxy(options: RedisOptions): Promise<Redis> {
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const client = new Redis(viaProxy.toString(), options);
    // Each failed reconnect is an 'error' event; the limiter reports the outage, so the test needs no more.
    client.on('error', () => {});
    onTestFinished(() => client.disconnect());
    if (client.status !== 'ready') await once(client, 'ready');
    return client;
  }

  /** Cuts the proxy and waits until the client has seen its connection close. */
  async function cutRedis(client: Redis): Promise<void> {
    const closed = once(client, 'close');
    await proxy.cut();
    await closed;
  }

  /** Restores the proxy and waits until the client has reconnected on its own. */
  async function restoreRedis(client: Redis): Promise<void> {
    const ready = once(client, 'ready');
    await proxy.restore();
    await ready;
  }

  async function limitedService(client: Redis, failOpen: boolean) {
    const logger = createRecordingLogger();
    // Buckets of this test's own, under the suite's prefix.
    const store = redisStore({ client, prefix: `${prefix}${randomUUID()}:`, timeoutMs: STORE_TIMEOUT_MS });
    const service = await serveEcho({
      middleware: [rateLimit({ limit: '3/h', store, failOpen, logger })],
      implementation: { echo: (request) => ({ message: request.message }) },
    });
    onTestFinished(() => service.close());
    const echo = () => service.client.echo({ message: 'x' }, { timeoutMs: CALL_DEADLINE_MS });
    const call = () => outcome(echo());
    const refusal = () =>
      echo().then(
        () => undefined,
        (error: unknown) => RpcError.from(error),
      );
    return { logger, call, refusal };
  }

  it('fails open while Redis is gone, says so once, and counts on from Redis when it is back', async () => {
    const client = await throughProxy({ enableOfflineQueue: false });
    const { logger, call } = await limitedService(client, true);

    expect([await call(), await call()]).toEqual(['OK', 'OK']);
    expect(logger.entries).toEqual([]);

    await cutRedis(client);
    // Past the limit of 3, and none is held for Redis: each ends well before its deadline.
    expect([await call(), await call(), await call()]).toEqual(['OK', 'OK', 'OK']);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]).toMatchObject({
      level: 'warn',
      fields: { failOpen: true, error: { name: 'RedisUnavailableError', code: 'NOT_CONNECTED' } },
    });
    expect(logger.entries[0]?.message).toContain('failing open');

    await restoreRedis(client);
    // The calls let through during the outage took no token: the bucket in Redis still holds the third.
    expect([await call(), await call()]).toEqual(['OK', 'RESOURCE_EXHAUSTED']);
    expect(logger.entries).toHaveLength(2);
    expect(logger.entries[1]).toMatchObject({ level: 'info', message: 'rate limit store available again: limits apply' });
  });

  it('fails closed with UNAVAILABLE while Redis is gone, and a limit spent before the outage is still spent after it', async () => {
    const client = await throughProxy({ enableOfflineQueue: false });
    const { logger, call, refusal } = await limitedService(client, false);

    expect([await call(), await call(), await call(), await call()]).toEqual(['OK', 'OK', 'OK', 'RESOURCE_EXHAUSTED']);

    await cutRedis(client);
    expect(await refusal()).toMatchObject({ code: Status.UNAVAILABLE, rawMessage: 'the rate limiter is unavailable; try again later' });
    expect(await call()).toBe('UNAVAILABLE');
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]).toMatchObject({ level: 'warn', fields: { failOpen: false } });
    expect(logger.entries[0]?.message).toContain('failing closed');

    await restoreRedis(client);
    expect(await call()).toBe('RESOURCE_EXHAUSTED');
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'info']);
  });

  it('with ioredis defaults (an offline queue), fails at once during the outage and leaves no queued decision to spend tokens later', async () => {
    const client = await throughProxy({});
    const { logger, call } = await limitedService(client, false);

    expect([await call(), await call()]).toEqual(['OK', 'OK']);

    await cutRedis(client);
    expect([await call(), await call(), await call()]).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]).toMatchObject({ level: 'warn', fields: { error: { name: 'RedisUnavailableError', code: 'NOT_CONNECTED' } } });

    await restoreRedis(client);
    // Had the refused calls' scripts waited in the client's queue, they would run now and spend the third token.
    expect([await call(), await call()]).toEqual(['OK', 'RESOURCE_EXHAUSTED']);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'info']);
  });

  it('spends no token for a decision Redis runs after the store gave up on it (a stalled connection, resent on reconnect)', async () => {
    const client = await throughProxy({ enableOfflineQueue: false });
    const { logger, call } = await limitedService(client, false);

    expect([await call(), await call()]).toEqual(['OK', 'OK']);

    // The connection stalls: the scripts are sent, Redis never sees them, the store stops waiting.
    proxy.hold();
    expect([await call(), await call()]).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(logger.entries[0]).toMatchObject({ level: 'warn', fields: { error: { name: 'RedisUnavailableError', code: 'TIMEOUT' } } });

    // ioredis sends the unanswered scripts again once it has reconnected; Redis runs them now, long after.
    await cutRedis(client);
    await restoreRedis(client);
    expect([await call(), await call()]).toEqual(['OK', 'RESOURCE_EXHAUSTED']);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'info']);
  });

  it('spends no token for a decision delivered late when a stalled connection recovers', async () => {
    const client = await throughProxy({ enableOfflineQueue: false });
    const { logger, call } = await limitedService(client, true);

    expect([await call(), await call()]).toEqual(['OK', 'OK']);

    proxy.hold();
    expect([await call(), await call()]).toEqual(['OK', 'OK']);
    proxy.release();
    // The held scripts reach Redis first, then this call's: only this one may spend the third token.
    expect([await call(), await call()]).toEqual(['OK', 'RESOURCE_EXHAUSTED']);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'info']);
  });
});
