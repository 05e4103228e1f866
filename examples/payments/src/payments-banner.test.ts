import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClient, createClient } from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { startService } from './test-support/service-process.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs one command line as a new user would paste it, from the repository root. */
function shell(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd: REPOSITORY }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

describe('a wrong configuration', () => {
  it('is one line naming the variable and what it should be, and exit code 2, not a stack trace', async () => {
    const result = await shell('PAYMENTS_SHUTDOWN_GRACE_MS=soon node examples/payments/dist/main.js');
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'payments: PAYMENTS_SHUTDOWN_GRACE_MS must be a whole number of milliseconds, such as 10000; got "soon"\n',
    });
  });
});

describe('the banner of npm start', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  it('gives commands that work when pasted, with the token it made', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-banner-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    // No tokens configured: the service makes one and prints it, as on a first `npm start`.
    const service = startService({ PAYMENTS_DB: join(directory, 'payments.db'), PAYMENTS_API_TOKENS: '', PAYMENTS_JWT_SECRET: '' });
    cleanups.push(() => service.child.kill('SIGKILL'));
    await service.line(/Ctrl-C \(SIGINT\) or SIGTERM stops it gracefully/);
    const [, list = ''] = await service.line(/^\s+(npm run wirekit -- call --plaintext \S+ list)$/);
    const [, charge = ''] = await service.line(/^\s+(npm run wirekit -- call --plaintext -H .* payments\.v1\.PaymentService\/Charge)$/);

    const listed = await shell(list);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout.split('\n')).toContain('payments.v1.PaymentService');

    const charged = await shell(charge);
    expect(charged.code, charged.stderr).toBe(0);
    // npm echoes the command (with its JSON argument) first; the response is the pretty-printed document after it.
    expect(JSON.parse(charged.stdout.match(/^\{$[\s\S]*^\}$/m)?.[0] ?? '')).toMatchObject({
      orderId: 'o1',
      amountCents: '1250',
      currency: 'EUR',
      status: 'PAYMENT_STATUS_SUCCEEDED',
    });
  });

  it('prints a metrics URL that serves Prometheus text counting the Charge just made', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-banner-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const token = 'banner-metrics-token-0123456789';
    const service = startService({ PAYMENTS_DB: join(directory, 'payments.db'), PAYMENTS_API_TOKENS: token });
    cleanups.push(() => service.child.kill('SIGKILL'));
    const address = await service.listening();
    const [, metricsUrl = ''] = await service.line(/Metrics: (http:\S+)/);
    const client = createClient(PaymentService, address);
    cleanups.push(() => closeClient(client));
    await client.charge(
      { orderId: 'o1', amountCents: 1_250n, currency: 'EUR', customerId: 'c1' },
      { metadata: { authorization: `Bearer ${token}` } },
    );

    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const handled = (await response.text()).split('\n').filter((line) => line.startsWith('grpc_server_handled_total{'));
    expect(handled).toEqual([
      expect.stringMatching(/grpc_service="payments\.v1\.PaymentService",grpc_method="Charge",grpc_code="OK"\} 1$/),
    ]);
  });
});
