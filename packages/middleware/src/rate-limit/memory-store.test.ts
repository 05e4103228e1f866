import { describe, expect, it } from 'vitest';
import { memoryStore } from './memory-store.js';
import { type ParsedLimit, parseLimit } from './parse-limit.js';

const limit = (text: string): ParsedLimit => parseLimit(text) as ParsedLimit;

describe('memoryStore', () => {
  it('refills one token per interval on a clock the test moves', async () => {
    let now = 1_000;
    const store = memoryStore({ clock: () => now });
    const perMinute = limit('3/min');
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 20_000 });
    now += 19_999;
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1 });
    now += 1;
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    now += 60_000;
    expect(await store.take('k', perMinute, 1)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  it('allows a call exactly on time on a clock with fractions of a millisecond, as performance.now() has', async () => {
    // 0.3 + 60000 - 60000 is 0.30000000000291038 in doubles: a rounding error must not refuse a full bucket.
    const store = memoryStore({ clock: () => 0.3 });
    expect(await store.take('once', limit('1/min'), 1)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect((await store.take('once', limit('1/min'), 1)).allowed).toBe(false);
    expect((await store.take('twice', limit('2/min'), 1)).allowed).toBe(true);
    expect(await store.take('twice', limit('2/min'), 1)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect((await store.take('twice', limit('2/min'), 1)).allowed).toBe(false);
  });

  it('keeps buckets apart by key', async () => {
    const store = memoryStore({ clock: () => 0 });
    const once = limit('1/s');
    expect((await store.take('a', once, 1)).allowed).toBe(true);
    expect((await store.take('a', once, 1)).allowed).toBe(false);
    expect((await store.take('b', once, 1)).allowed).toBe(true);
  });

  it('caps a quiet bucket at its burst', async () => {
    let now = 0;
    const store = memoryStore({ clock: () => now });
    const bursty = limit('100/s');
    const smallBurst = { ...bursty, burst: 2 };
    now = 3_600_000;
    expect(await store.take('k', smallBurst, 1)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await store.take('k', smallBurst, 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await store.take('k', smallBurst, 1)).toMatchObject({ allowed: false, retryAfterMs: 10 });
  });
});
