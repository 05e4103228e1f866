import { type CallOptions, type ClientCall, type ClientNext, type MethodDescriptor, RpcError, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { type RetryPolicy, retryingCall } from './retrying-call.js';

const ping: MethodDescriptor = {
  path: '/wirekit.test.v1.OtherService/Ping',
  service: 'wirekit.test.v1.OtherService',
  name: 'Ping',
  mode: 'unary',
  requestStream: false,
  responseStream: false,
  idempotency: 'idempotent',
  options: new Map(),
  requestToJson: () => ({}),
  responseToJson: (response) => String(response),
};

const policy: RetryPolicy = {
  maxAttempts: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 1_000,
  multiplier: 2,
  retryableCodes: new Set([Status.UNAVAILABLE]),
  bufferLimitBytes: 1_024,
  idempotentMethods: new Set(),
  idempotencyKeyHeader: 'idempotency-key',
  random: () => 0,
  sleep: async () => {},
};

/** An attempt that fails with `failures` in turn, then answers 'ok', recording the options of each attempt. */
function attempts(failures: unknown[]): { next: ClientNext<unknown, string>; seen: CallOptions[] } {
  const seen: CallOptions[] = [];
  const next: ClientNext<unknown, string> = async function* attempt(call) {
    seen.push(call.options);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    yield 'ok';
  };
  return { next, seen };
}

async function run(call: ClientCall, next: ClientNext<unknown, string>, overrides: Partial<RetryPolicy> = {}): Promise<string[]> {
  const results: string[] = [];
  for await (const result of retryingCall(call, next, { ...policy, ...overrides }, () => 0)) results.push(result);
  return results;
}

describe('retryingCall', () => {
  it('gives every attempt the deadline of the call, rather than restarting a relative timeout', async () => {
    const { next, seen } = attempts([new RpcError(Status.UNAVAILABLE, 'a'), new RpcError(Status.UNAVAILABLE, 'b')]);
    const before = Date.now();
    expect(await run({ method: ping, options: { timeoutMs: 5_000 }, requestStream: false, request: {} }, next)).toEqual(['ok']);
    expect(seen).toHaveLength(3);
    const deadlines = seen.map((options) => options.deadline);
    expect(new Set(deadlines).size).toBe(1);
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 5_000);
    expect(seen.every((options) => options.timeoutMs === undefined)).toBe(true);
  });

  it('keeps the earlier of a deadline and a timeout', async () => {
    const { next, seen } = attempts([]);
    const deadline = Date.now() + 1_000;
    await run({ method: ping, options: { deadline: new Date(deadline), timeoutMs: 60_000 }, requestStream: false, request: {} }, next);
    expect(seen[0]?.deadline).toBe(deadline);
  });

  it('does not retry what is not an RpcError: a bug, not an outage', async () => {
    const { next, seen } = attempts([new TypeError('bad message')]);
    await expect(run({ method: ping, options: {}, requestStream: false, request: {} }, next)).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(1);
  });

  it('passes the call through untouched when it may not be repeated', async () => {
    const { next, seen } = attempts([]);
    const options: CallOptions = { timeoutMs: 1_000 };
    await run({ method: { ...ping, idempotency: 'unknown' }, options, requestStream: false, request: {} }, next);
    expect(seen[0]).toBe(options);
  });

  it('retries RESOURCE_EXHAUSTED without RetryInfo when the caller lists it', async () => {
    const { next, seen } = attempts([new RpcError(Status.RESOURCE_EXHAUSTED, 'busy')]);
    await run({ method: ping, options: {}, requestStream: false, request: {} }, next, {
      retryableCodes: new Set([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED]),
    });
    expect(seen).toHaveLength(2);
  });
});
