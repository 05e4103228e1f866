import type { TimestampDate } from './bufbuild-bridge.js';

/**
 * A value rewritten so that vitest's `toEqual` compares what the mapping promises and nothing else: bytes
 * by content (a Buffer equals a Uint8Array), Dates by instant and nanoseconds (which `toEqual` would skip),
 * unset properties as absent. NaN equals NaN and -0 differs from 0, as `toEqual` already has it.
 */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (value instanceof Date) {
    const ms = value.getTime();
    const nanos = (value as TimestampDate).nanos ?? (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
    return { date: Number.isNaN(ms) ? 'Invalid Date' : new Date(ms).toISOString(), nanos };
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      Object.defineProperty(out, key, { value: comparable(item), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
