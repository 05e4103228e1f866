import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineService, ProtoSet, Service, type Unary, UnaryMethod } from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestApp } from '../create-test-app.js';
import { checkContract } from './check-contract.js';

interface Line {
  id: string;
  amountCents: bigint;
}
interface Count {
  count: number;
  totalCents: bigint;
  kind: 'KIND_UNSPECIFIED' | 'KIND_APPLE';
  lines: Line[];
  byName: Record<string, Line>;
  countedAt?: Date;
  tags: string[];
  last?: Line;
}
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const protos = ProtoSet.load('tally/v1/tally.proto', { includeDirs: [here('./test-support/protos')] });
const Tally = defineService<{ Count: Unary<{ name: string }, Count> }>(protos, 'tally.v1.Tally');

/** Counts apples in two lines; anything else is an empty count, every field at its default. */
@Service(Tally)
class AppleTally {
  @UnaryMethod()
  count(request: { name: string }): Partial<Count> {
    if (request.name !== 'apples') return {};
    const lines = [
      { id: 'l-1', amountCents: 1000n },
      { id: 'l-2', amountCents: 250n },
    ];
    return { count: 2, totalCents: 1250n, kind: 'KIND_APPLE', lines, byName: { first: lines[0] as Line }, countedAt: new Date() };
  }
}

describe('contract checks over any valid proto3 JSON spelling', () => {
  it('passes recordings that spell out defaults, use proto field names, numbers for int64 and enums', async () => {
    const testApp = await createTestApp({ services: [AppleTally], cleanup: onTestFinished });
    expect(await checkContract({ definition: Tally, testApp, exchanges: here('./test-support/tally-exchanges') })).toEqual([]);
  });

  it('still reports real differences, with nested and array paths under the JSON names', async () => {
    const testApp = await createTestApp({ services: [AppleTally], cleanup: onTestFinished });
    const problems = await checkContract({
      definition: Tally,
      testApp,
      exchanges: [
        {
          name: 'drifted',
          rpc: 'Count',
          request: { name: 'apples' },
          response: {
            count: 2,
            total_cents: 1250,
            kind: 'KIND_APPLE',
            lines: [{ id: 'l-1', amount_cents: 1000 }, { id: 'l-2', amount_cents: 260 }, { id: 'l-3' }],
            by_name: { first: { id: 'l-9', amount_cents: 1000 } },
            counted_at: '<any>',
          },
        },
        { name: 'empty', rpc: 'Count', request: { name: 'pears' }, response: { count: 0, tags: ['x'] } },
      ],
    });
    expect(problems).toEqual([
      'drifted (Count): response.byName.first.id: expected "l-9", got "l-1"',
      'drifted (Count): response.lines: expected 3 items, got 2',
      'drifted (Count): response.lines[1].amountCents: expected "260", got "250"',
      'empty (Count): response.tags: expected ["x"], got nothing',
    ]);
  });

  it('names the exchange file and the field when a recorded response is not valid for the message type', async () => {
    const testApp = await createTestApp({ services: [AppleTally], cleanup: onTestFinished });
    const directory = here('./test-support/tally-invalid');
    expect(await checkContract({ definition: Tally, testApp, exchanges: directory })).toEqual([
      `bad-timestamp.json (Count): the recorded response in ${join(directory, 'bad-timestamp.json')} is not a valid tally.v1.Count: tally.v1.Count.counted_at: expected an RFC 3339 timestamp ("2024-05-01T12:00:00Z"), got string "yesterday"`,
    ]);
  });
});
