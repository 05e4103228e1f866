import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from './test-support/service-process.js';

const WIREKIT = fileURLToPath(new URL('../../../packages/cli/bin/wirekit.js', import.meta.url));

/** Runs the real `wirekit` command, as a user at a terminal does. */
function wirekit(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [WIREKIT, ...args], (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

/** The JSON documents `wirekit call` printed, one per response message. */
function documents(stdout: string): Record<string, unknown>[] {
  return stdout
    .split(/\n(?=\{)/)
    .filter((part) => part.trim() !== '')
    .map((part) => JSON.parse(part) as Record<string, unknown>);
}

// Each step is a real `wirekit` process (a second or two of Node start-up on a busy machine), hence the timeouts.
describe('wirekit call against the running payments service (dist/main.js)', { timeout: 90_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'wirekit-call-payments-'));
  let service: ReturnType<typeof startService>;
  let address = '';
  const auth = ['-H', 'authorization: Bearer call-test-token-0123456789'];

  beforeAll(async () => {
    service = startService({
      PAYMENTS_DB: join(directory, 'payments.db'),
      PAYMENTS_API_TOKENS: 'call-test-token-0123456789',
      PAYMENTS_JWT_SECRET: '',
    });
    [, address = ''] = await service.line(/listening on (\S+) /);
  });
  afterAll(async () => {
    service.child.kill('SIGTERM');
    await service.exited;
    rmSync(directory, { recursive: true, force: true });
  });

  it('lists the services and describes PaymentService with its streaming markers', async () => {
    const listed = await wirekit(['call', '--plaintext', address, 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['grpc.health.v1.Health', 'payments.v1.PaymentService']));
    const described = await wirekit(['call', '--plaintext', address, 'describe', 'payments.v1.PaymentService']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(
      /rpc WatchPayments \( \.payments\.v1\.WatchPaymentsRequest \) returns \( stream \.payments\.v1\.PaymentEvent \)/,
    );
    expect(described.stdout).toMatch(
      /rpc ImportLedger \( stream \.payments\.v1\.LedgerEntry \) returns \( \.payments\.v1\.ImportSummary \)/,
    );
    expect(described.stdout).toMatch(
      /rpc Settle \( stream \.payments\.v1\.SettleRequest \) returns \( stream \.payments\.v1\.SettleResult \)/,
    );
  });

  it('calls all four modes: Charge and GetPayment, WatchPayments, ImportLedger, Settle', async () => {
    const method = (name: string) => `payments.v1.PaymentService/${name}`;
    const charged = await wirekit([
      'call',
      '--plaintext',
      ...auth,
      '-d',
      '{"orderId": "o1", "amountCents": "1250", "currency": "EUR", "customerId": "c-call", "idempotencyKey": "k-call-1"}',
      address,
      method('Charge'),
    ]);
    expect(charged.code, charged.stderr).toBe(0);
    const [payment] = documents(charged.stdout);
    expect(payment).toMatchObject({ orderId: 'o1', amountCents: '1250', status: 'PAYMENT_STATUS_SUCCEEDED' });

    const got = await wirekit([
      'call',
      '--plaintext',
      ...auth,
      '-d',
      JSON.stringify({ paymentId: payment?.paymentId }),
      address,
      method('GetPayment'),
    ]);
    expect(documents(got.stdout)).toEqual([payment]);

    const imported = await wirekit([
      'call',
      '--plaintext',
      ...auth,
      '-d',
      '{"orderId": "o2", "amountCents": "300", "currency": "EUR", "customerId": "c-call", "idempotencyKey": "k-call-2"} {"orderId": "o3", "amountCents": "-1", "currency": "EUR", "idempotencyKey": "k-call-3"}',
      address,
      method('ImportLedger'),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(documents(imported.stdout)).toEqual([
      expect.objectContaining({
        accepted: 1,
        rejected: 1,
        acceptedAmountCents: '300',
        rejections: [expect.objectContaining({ index: 1 })],
      }),
    ]);

    const watched = await wirekit(['call', '--plaintext', ...auth, '-d', '{"customerId": "c-call"}', address, method('WatchPayments')]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(
      documents(watched.stdout)
        .map((event) => (event.payment as { orderId: string }).orderId)
        .sort(),
    ).toEqual(['o1', 'o2']);

    const settled = await wirekit([
      'call',
      '--plaintext',
      ...auth,
      '-d',
      `${JSON.stringify({ paymentId: payment?.paymentId })} {"paymentId": "pay_missing"}`,
      address,
      method('Settle'),
    ]);
    expect(settled.code, settled.stderr).toBe(0);
    expect(documents(settled.stdout)).toEqual([
      expect.objectContaining({ paymentId: payment?.paymentId, settled: true }),
      expect.objectContaining({ paymentId: 'pay_missing', reason: 'not_found' }),
    ]);
  });

  it('exits 1 with UNAUTHENTICATED and the reason when the token is missing', async () => {
    const refused = await wirekit(['call', '--plaintext', '-d', '{}', address, 'payments.v1.PaymentService/GetPayment']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/code = UNAUTHENTICATED \(16\)/);
  });
});
