import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface ChainReport {
  readonly quick: boolean;
  readonly rows: readonly {
    readonly name: string;
    readonly middleware: readonly string[];
    readonly errors: number;
    readonly samples: readonly number[];
  }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-bench-chain-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The quick mode checks the breakdown's harness (every row's chain answers every call right), never a cost: the
// costs are judged only by the full run. It needs the build (`tsc -b`): it imports the packages' dist.
describe('bench/chain.mjs --quick', () => {
  it('answers every call right through each middleware of the chain alone and through the whole chain', async () => {
    const out = join(scratch, 'benchmarks-chain.json');
    await promisify(execFile)(process.execPath, ['bench/chain.mjs', '--quick', '--out', out], { cwd: root, timeout: 120_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as ChainReport;

    expect(report.quick).toBe(true);
    expect(report.rows.map((row) => row.name)).toEqual(['async', 'recovery', 'rateLimit', 'auth', 'metrics', 'tracing', 'logging', 'full']);
    expect(report.rows.at(-1)?.middleware).toEqual(['tracing', 'logging', 'metrics', 'recovery', 'auth', 'rateLimit']);
    for (const row of report.rows) {
      expect(row.errors, row.name).toBe(0);
      expect(row.samples, row.name).toHaveLength(1);
    }
  }, 130_000);
});
