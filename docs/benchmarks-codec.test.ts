import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface CodecReport {
  readonly quick: boolean;
  readonly bytes: number;
  readonly rows: readonly { readonly name: string }[];
  readonly samples: readonly Readonly<Record<string, readonly [number, number]>>[];
  readonly encodings: Readonly<Record<string, string>>;
  readonly reencodings: Readonly<Record<string, string>>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-bench-codec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CONTENDERS = ['wirekit', 'proto-loader', 'protobufjs (raw)'];

// The quick mode checks that the comparison compares the same work (every contender encodes the same bytes, and
// decodes them to a message that encodes to them again), never a cost: the costs are judged only by the full run.
// It needs the build (`tsc -b`): it imports packages/core/dist.
describe('bench/codec.mjs --quick', () => {
  it('has every contender encode byte-identical payments, and decode them to messages that encode the same bytes', async () => {
    const out = join(scratch, 'benchmarks-codec.json');
    await promisify(execFile)(process.execPath, ['bench/codec.mjs', '--quick', '--out', out], { cwd: root, timeout: 60_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as CodecReport;

    expect(report.quick).toBe(true);
    expect(report.rows.map((row) => row.name)).toEqual(CONTENDERS);
    expect(report.samples).toHaveLength(1);
    expect(Object.keys(report.samples[0] ?? {})).toEqual(CONTENDERS);
    const reference = report.encodings['protobufjs (raw)'];
    expect(reference).toHaveLength(report.bytes * 2);
    for (const name of CONTENDERS) {
      expect(report.encodings[name], name).toBe(reference);
      expect(report.reencodings[name], name).toBe(reference);
    }
  }, 70_000);
});
