import { describe, expect, it } from 'vitest';
import { gcra } from './gcra.js';
import { type ParsedLimit, parseLimit } from './parse-limit.js';

describe('parseLimit', () => {
  it.each([
    ['100/s', 100, 1_000],
    ['20/min', 20, 60_000],
    ['5/10s', 5, 10_000],
    ['250/ms', 250, 1],
    ['1000/h', 1_000, 3_600_000],
    ['7 / 2 minutes', 7, 120_000],
    ['10000/day', 10_000, 86_400_000],
  ])('reads %s', (text, count, periodMs) => {
    expect(parseLimit(text)).toEqual({ count, periodMs, burst: count, text: text.trim() });
  });

  it('takes counts and periods, with a burst of its own', () => {
    expect(parseLimit({ count: 100, periodMs: 1_000, burst: 20 })).toEqual({ count: 100, periodMs: 1_000, burst: 20, text: '100/1000ms' });
  });

  it('reads unlimited as no limit', () => {
    expect(parseLimit('unlimited')).toBeUndefined();
  });

  it.each(['100', '100/fortnight', 'ten/s', '0/s', '-1/s', '1.5/s', ''])('refuses %j, showing the accepted forms', (text) => {
    expect(() => parseLimit(text)).toThrow(RangeError);
  });

  it('names the bad part of an object limit', () => {
    expect(() => parseLimit({ count: 10, periodMs: 0 })).toThrow('period must be a positive whole number, got 0');
  });
});

describe('gcra', () => {
  const twoPerSecond = parseLimit('2/s') as ParsedLimit;

  it('lets a full bucket spend its burst, then says when the next token comes', () => {
    const first = gcra(undefined, 0, twoPerSecond, 1);
    const second = gcra(first.tat, 0, twoPerSecond, 1);
    const third = gcra(second.tat, 0, twoPerSecond, 1);
    expect([first.allowed, first.remaining, second.allowed, second.remaining]).toEqual([true, 1, true, 0]);
    expect(third).toEqual({ allowed: false, tat: second.tat, remaining: 0, retryAfterMs: 500 });
  });

  it('treats a bucket whose time has passed as full', () => {
    expect(gcra(100, 10_000, twoPerSecond, 1)).toMatchObject({ allowed: true, remaining: 1 });
  });
});
