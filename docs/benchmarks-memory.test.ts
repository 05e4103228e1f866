import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface MemoryReport {
  readonly quick: boolean;
  readonly correct: boolean;
  readonly unary: { readonly calls: number; readonly succeeded: number; readonly errors: number; readonly rssAtEndBytes: number };
  readonly stream: {
    readonly messages: number;
    readonly receivedMessages: number;
    readonly expectedBytes: number;
    readonly receivedBytes: number;
    readonly wrongMessages: number;
    readonly peakRssBytes: number;
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-bench-memory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The quick mode checks that the memory benchmark works (every call answered, the whole stream delivered), never a
// memory figure: those are judged only by the full run. It needs the build (`tsc -b`): the server imports dist.
describe('bench/memory.mjs --quick', () => {
  it('answers every unary call and delivers the whole slowly read stream', async () => {
    const out = join(scratch, 'benchmarks-memory.json');
    await promisify(execFile)(process.execPath, ['bench/memory.mjs', '--quick', '--out', out], { cwd: root, timeout: 170_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as MemoryReport;

    expect(report.quick).toBe(true);
    expect(report.correct).toBe(true);
    expect(report.unary).toMatchObject({ errors: 0, succeeded: report.unary.calls });
    expect(report.unary.rssAtEndBytes).toBeGreaterThan(0);
    expect(report.stream.receivedMessages).toBe(report.stream.messages);
    expect(report.stream.receivedBytes).toBe(report.stream.expectedBytes);
    expect(report.stream.wrongMessages).toBe(0);
    expect(report.stream.peakRssBytes).toBeGreaterThan(0);
  }, 180_000);
});
