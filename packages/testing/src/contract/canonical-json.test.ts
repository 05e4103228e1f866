import { fileURLToPath } from 'node:url';
import { ProtoSet } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { MessageShapes } from './message-shapes.js';

const protos = ProtoSet.load('tally/v1/tally.proto', {
  includeDirs: [fileURLToPath(new URL('./test-support/protos', import.meta.url))],
});
const shapes = new MessageShapes(protos);
const count = protos.codec<unknown>('tally.v1.Count');
const canonical = (json: Parameters<typeof canonicalJson>[2]) => canonicalJson(count, shapes, json);

describe('the canonical form of a recorded message', () => {
  it('leaves out fields at their defaults, as toJson does', () => {
    expect(canonical({ count: 0, totalCents: '0', kind: 'KIND_UNSPECIFIED', lines: [], byName: {}, tags: [] })).toEqual({});
    expect(canonical({ kind: 0 })).toEqual({});
  });

  it('reads every valid spelling: proto field names, 64-bit numbers as numbers, enums by number', () => {
    expect(canonical({ total_cents: 1250, kind: 1, counted_at: '2026-01-02T03:04:05.000Z' })).toEqual({
      totalCents: '1250',
      kind: 'KIND_APPLE',
      countedAt: '2026-01-02T03:04:05Z',
    });
    expect(canonical({ lines: [{ amount_cents: 5 }], by_name: { a: { id: 'x', amountCents: '0' } } })).toEqual({
      lines: [{ amountCents: '5' }],
      byName: { a: { id: 'x' } },
    });
  });

  it('keeps "<any>" where it was, under the JSON name, in every kind of field', () => {
    expect(
      canonical({
        count: '<any>',
        total_cents: '<any>',
        kind: '<any>',
        counted_at: '<any>',
        lines: [{ id: '<any>', amount_cents: 3 }, '<any>'],
        by_name: { a: '<any>', b: { id: '<any>' } },
        tags: ['<any>', 'x'],
        last: { id: '<any>' },
      }),
    ).toEqual({
      count: '<any>',
      totalCents: '<any>',
      kind: '<any>',
      countedAt: '<any>',
      lines: [{ id: '<any>', amountCents: '3' }, '<any>'],
      byName: { a: '<any>', b: { id: '<any>' } },
      tags: ['<any>', 'x'],
      last: { id: '<any>' },
    });
    expect(canonical({ lines: '<any>', by_name: '<any>' })).toEqual({ lines: '<any>', byName: '<any>' });
    expect(canonical('<any>')).toBe('<any>');
  });

  it('throws a TypeError naming the field when the recording is not a valid message of the type', () => {
    expect(() => canonical({ counted_at: 'yesterday' })).toThrow(/tally\.v1\.Count\.counted_at: expected an RFC 3339 timestamp/);
    expect(() => canonical({ lines: [{ amount: 1 }] })).toThrow(/amount/);
    expect(() => canonical({ kind: 'KIND_PEAR' })).toThrow(/KIND_PEAR/);
  });
});
