/**
 * A rate: a count per period written as text (`'100/s'`, `'20/min'`, `'5/10s'`, `'1000/h'`, `'10000/d'`), or
 * `{ count, periodMs, burst? }`, or `'unlimited'` to exempt a method. `burst` is how many calls may arrive at
 * once after a quiet spell; it defaults to `count`.
 *
 * @example
 * const limit: Limit = '20/min';
 * const bursty: Limit = { count: 100, periodMs: 1_000, burst: 20 };
 */
export type Limit = string | { readonly count: number; readonly periodMs: number; readonly burst?: number };

/** A limit in the form the stores work with. */
export interface ParsedLimit {
  /** Calls allowed per period. */
  readonly count: number;
  readonly periodMs: number;
  /** The bucket's capacity: calls allowed at once. */
  readonly burst: number;
  /** How the limit reads in messages, e.g. `20/min`. */
  readonly text: string;
}

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ...['ms', 'millisecond', 'milliseconds'].map((unit) => [unit, 1] as const),
  ...['s', 'sec', 'second', 'seconds'].map((unit) => [unit, 1_000] as const),
  ...['m', 'min', 'minute', 'minutes'].map((unit) => [unit, 60_000] as const),
  ...['h', 'hour', 'hours'].map((unit) => [unit, 3_600_000] as const),
  ...['d', 'day', 'days'].map((unit) => [unit, 86_400_000] as const),
]);

const TEXT_FORM = /^\s*(\d+)\s*\/\s*(\d+)?\s*([a-z]+)\s*$/;

/**
 * Parses a limit, or returns `undefined` for `'unlimited'`. Throws a `RangeError` that quotes the limit and shows
 * the accepted forms, so a typo in a decorator or in configuration stops the service at startup.
 *
 * @example
 * parseLimit('20/min'); // { count: 20, periodMs: 60_000, burst: 20, text: '20/min' }
 */
export function parseLimit(limit: Limit): ParsedLimit | undefined {
  if (limit === 'unlimited') return undefined;
  if (typeof limit === 'string') {
    const match = TEXT_FORM.exec(limit.toLowerCase());
    const unit = match?.[3] === undefined ? undefined : UNIT_MS.get(match[3]);
    if (!match || unit === undefined) {
      throw new RangeError(
        `rate limit "${limit}" is not a count per period; write it like '100/s', '20/min', '5/10s', '1000/h' or 'unlimited'`,
      );
    }
    const count = Number(match[1]);
    const periodMs = Number(match[2] ?? 1) * unit;
    return checked({ count, periodMs, burst: count, text: limit.trim() });
  }
  const { count, periodMs, burst = count } = limit;
  return checked({ count, periodMs, burst, text: `${count}/${periodMs}ms` });
}

function checked(limit: ParsedLimit): ParsedLimit {
  const { count, periodMs, burst, text } = limit;
  for (const [name, value] of [
    ['count', count],
    ['period', periodMs],
    ['burst', burst],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`rate limit "${text}": ${name} must be a positive whole number, got ${value}`);
    }
  }
  return limit;
}
