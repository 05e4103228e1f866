import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface SummaryRow {
  readonly mode: string;
  readonly server: string;
  readonly unit: 'call' | 'message';
  readonly calls: number;
  readonly messages: number;
  readonly errors: number;
  readonly medianP50Micros: number | null;
  readonly medianP99Micros: number | null;
}

interface MemoryRow {
  readonly server: string;
  readonly peakRssMiB: number;
  readonly finalRssMiB: number | null;
}

interface BenchReport {
  readonly quick: boolean;
  readonly ok: boolean;
  readonly servers: readonly { readonly name: string }[];
  readonly modes: readonly { readonly name: string }[];
  readonly summary: readonly SummaryRow[];
  readonly memory: readonly MemoryRow[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The quick mode is a correctness check of the harness and every server in it, never a speed: it needs the
// build (`tsc -b`) because the Wirekit servers import packages/core/dist and packages/middleware/dist. It takes
// ~5 s of CPU (starting six servers is most of it), so the time limits allow for a machine busy with other work.
describe('bench/run.mjs --quick', () => {
  it('has every server answer every call of every mode right', async () => {
    const out = join(scratch, 'benchmarks.json');
    await promisify(execFile)(process.execPath, ['bench/run.mjs', '--quick', '--out', out], { cwd: root, timeout: 150_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;

    expect(report.quick).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.servers.map((server) => server.name)).toEqual(['grpc-js', 'wirekit', 'wirekit-full', 'nice-grpc', 'nestjs', 'http2']);
    expect(report.modes.map((mode) => mode.name)).toEqual(['unary-c1', 'unary-c64', 'server-stream', 'client-stream', 'bidi']);
    for (const server of report.servers) {
      for (const mode of report.modes) {
        const row = report.summary.find((each) => each.server === server.name && each.mode === mode.name);
        expect(row, `${server.name} ${mode.name}`).toMatchObject({ errors: 0 });
        expect(row?.calls, `${server.name} ${mode.name} calls`).toBeGreaterThan(0);
        expect(row?.messages, `${server.name} ${mode.name} messages`).toBeGreaterThan(0);
        // Every call of the quick mode is one call per unit: unary counts one message per call.
        if (row?.unit === 'call') {
          expect(row.messages, `${server.name} ${mode.name}: one message per unary call`).toBe(row.calls);
          expect(row.medianP50Micros, `${server.name} ${mode.name} p50`).toBeGreaterThan(0);
          expect(row.medianP99Micros, `${server.name} ${mode.name} p99`).toBeGreaterThanOrEqual(row.medianP50Micros ?? 0);
        }
      }
      const memory = report.memory.find((each) => each.server === server.name);
      expect(memory?.finalRssMiB, `${server.name} final RSS`).toBeGreaterThan(0);
      expect(memory?.peakRssMiB, `${server.name} peak RSS`).toBeGreaterThanOrEqual(memory?.finalRssMiB ?? Number.POSITIVE_INFINITY);
    }
    // The chart goes beside the JSON whenever the JSON is written.
    expect(readFileSync(join(scratch, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg /);
  }, 180_000);
});
