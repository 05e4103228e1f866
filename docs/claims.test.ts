import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

interface SizeRow {
  readonly message: string;
  readonly protobufBytes: number;
  readonly jsonBytes: number;
  readonly roundTripsOk: boolean;
}

interface EndToEndRow {
  readonly transport: string;
  readonly concurrency: number;
  readonly calls: number;
  readonly errors: number;
}

interface HeadOfLineRow {
  readonly scenario: string;
  readonly trials: number;
  readonly fastCalls: number;
  readonly errors: number;
}

interface ClaimsReport {
  readonly quick: boolean;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly checks: { readonly roundTrips: boolean; readonly answers: Readonly<Record<string, readonly string[]>> };
  readonly sizes: readonly SizeRow[];
  readonly codecSpeed: { readonly rows: readonly { readonly message: string }[] };
  readonly endToEnd: { readonly summary: readonly EndToEndRow[] };
  readonly headOfLine: { readonly scenarios: readonly HeadOfLineRow[] };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-claims-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The quick mode checks that the claims harness measures what it says, never a speed: every message survives
// both round trips, and every server answers every check and every call right. It needs the build (`tsc -b`):
// the servers import packages/core/dist and examples/payments/dist.
describe('bench/claims/run.mjs --quick', () => {
  it('has every message round-trip and every server answer every call right', async () => {
    const out = join(scratch, 'claims.json');
    await promisify(execFile)(process.execPath, ['bench/claims/run.mjs', '--quick', '--out', out], { cwd: root, timeout: 85_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as ClaimsReport;

    expect(report.quick).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.roundTrips).toBe(true);
    for (const [client, problems] of Object.entries(report.checks.answers)) expect(problems, client).toEqual([]);

    expect(report.sizes.map((row) => row.message)).toEqual(['ChargeRequest', 'Payment', 'ImportSummary', 'PaymentEvent×1000']);
    for (const row of report.sizes) {
      expect(row.roundTripsOk, row.message).toBe(true);
      expect(row.protobufBytes, row.message).toBeGreaterThan(0);
      expect(row.jsonBytes, row.message).toBeGreaterThan(0);
    }
    expect(report.codecSpeed.rows.map((row) => row.message)).toEqual(report.sizes.map((row) => row.message));

    const transports = ['grpc', 'rest-http1', 'rest-http2'];
    for (const transport of transports) {
      for (const concurrency of [1, 64, 256]) {
        const row = report.endToEnd.summary.find((each) => each.transport === transport && each.concurrency === concurrency);
        expect(row, `${transport} C=${concurrency}`).toMatchObject({ errors: 0 });
        expect(row?.calls, `${transport} C=${concurrency} calls`).toBeGreaterThan(0);
      }
    }
    expect(report.headOfLine.scenarios.map((row) => row.scenario)).toEqual([
      'grpc',
      'rest-http2',
      'rest-http1-one',
      'rest-http1-pipelined',
      'rest-http1-pool',
    ]);
    for (const row of report.headOfLine.scenarios) {
      expect(row, row.scenario).toMatchObject({ errors: 0, trials: 1 });
      expect(row.fastCalls, `${row.scenario} fast calls`).toBeGreaterThan(0);
    }
  }, 90_000);
});
