import type { RecordedJson } from './recorded-exchange.js';

/** The placeholder that matches any value present in the actual message. */
export const ANY_VALUE = '<any>';

/**
 * Compares an expected JSON value with the actual one, field by field, and describes every difference with its
 * path (`response.payments[2].amountCents: expected "1250", got "1200"`). Empty when they match.
 */
export function jsonDifferences(path: string, expected: RecordedJson | undefined, actual: RecordedJson | undefined): string[] {
  if (expected === ANY_VALUE) return actual === undefined ? [`${path}: expected a value, got none`] : [];
  if (expected === undefined) return actual === undefined ? [] : [`${path}: not expected, got ${show(actual)}`];
  if (actual === undefined) return [`${path}: expected ${show(expected)}, got nothing`];
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
    const differences: string[] = [];
    if (expected.length !== actual.length) differences.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    for (let index = 0; index < Math.min(expected.length, actual.length); index++) {
      differences.push(...jsonDifferences(`${path}[${index}]`, expected[index], actual[index]));
    }
    return differences;
  }
  if (isJsonObject(expected) && isJsonObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => jsonDifferences(`${path}.${key}`, expected[key], actual[key]));
  }
  return Object.is(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Whether a JSON value is an object (not an array, not null). */
export function isJsonObject(value: RecordedJson): value is { [key: string]: RecordedJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: RecordedJson): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
