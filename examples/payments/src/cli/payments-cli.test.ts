import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaymentsCli } from './run-payments-cli.js';
import { captureIo, startPaymentsService, TEST_TOKEN } from './test-support/cli-harness.js';

let service: Awaited<ReturnType<typeof startPaymentsService>>;
let directory: string;
beforeAll(async () => {
  service = await startPaymentsService();
  directory = mkdtempSync(join(tmpdir(), 'wirekit-payments-cli-'));
});
afterAll(async () => {
  await service.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs a command against the test service, with the address and token in the environment. */
async function run(args: readonly string[], options: { signal?: AbortSignal; stderrIsTty?: boolean } = {}) {
  const output = captureIo({ env: { PAYMENTS_ADDR: service.address, PAYMENTS_TOKEN: TEST_TOKEN }, ...options });
  const code = await runPaymentsCli(args, output.io);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

async function charge(orderId: string, customerId = 'c1'): Promise<string> {
  const { code, stdout } = await run(['charge', '--order', orderId, '--amount', '1250', '--currency', 'EUR', '--customer', customerId]);
  expect(code).toBe(0);
  const paymentId = /^payment\s+(\S+)$/m.exec(stdout)?.[1];
  if (paymentId === undefined) throw new Error(`no payment id in ${stdout}`);
  return paymentId;
}

describe('payments charge and get', () => {
  it('charges and prints a readable summary, with --addr and --token given as options', async () => {
    const output = captureIo();
    const code = await runPaymentsCli(
      [
        'charge',
        ...['--addr', service.address, '--token', TEST_TOKEN],
        ...['--order', 'o-1', '--amount', '1250', '--currency', 'EUR', '--customer', 'c-1', '--key', 'k-1'],
        ...['--meta', 'channel=web', '--meta', 'note=a=b'],
      ],
      output.io,
    );
    expect(code).toBe(0);
    expect(output.stderr).toBe('');
    expect(output.stdout).toMatch(
      /^payment\s+\S+\norder\s+o-1\namount\s+12\.50 EUR \(1250 minor units\)\ncustomer\s+c-1\nstatus\s+SUCCEEDED\n/,
    );
    expect(output.stdout).toMatch(/^created\s+\d{4}-\d\d-\d\dT/m);
    expect(output.stdout).toContain('metadata channel=web, note=a=b');
  });

  it('prints the proto3 JSON with --json, and a repeat with the same key returns the same payment', async () => {
    const args = ['charge', '--json', '--order', 'o-2', '--amount', '990', '--currency', 'JPY', '--customer', 'c-2', '--key', 'k-2'];
    const first = await run(args);
    const again = await run(args);
    expect(first.code).toBe(0);
    const payment = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(payment).toMatchObject({
      orderId: 'o-2',
      amountCents: '990',
      currency: 'JPY',
      customerId: 'c-2',
      status: 'PAYMENT_STATUS_SUCCEEDED',
    });
    expect(payment.createdAt).toMatch(/Z$/);
    expect(JSON.parse(again.stdout)).toEqual(payment);
  });

  it('gets a payment by id, and fails with NOT_FOUND and its details for an unknown one', async () => {
    const paymentId = await charge('o-3');
    const found = await run(['get', paymentId]);
    expect(found).toMatchObject({ code: 0, stderr: '' });
    expect(found.stdout).toContain(`payment  ${paymentId}\norder    o-3\n`);
    const missing = await run(['get', 'pay_missing']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(
      'ERROR: code = NOT_FOUND (5)\n  message = payment pay_missing does not exist\n  ResourceInfo: payments.v1.Payment "pay_missing": no payment has this id\n',
    );
  });

  it('exits 1 with the status and the BadRequest field violations when the charge is invalid', async () => {
    const { code, stdout, stderr } = await run(['charge', '--order', 'o-4', '--amount', '10', '--currency', 'eur', '--customer', 'c-4']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'ERROR: code = INVALID_ARGUMENT (3)',
      '  message = the charge is invalid: amount_cents, currency',
      '  BadRequest:',
      '    field "amount_cents": amount_cents must be from 50 to 99999999 (minor units, e.g. cents); got 10',
      '    field "currency": currency must be an ISO 4217 code in upper case, such as USD, EUR or JPY; got "eur"',
      '',
    ]);
  });

  it('exits 1 with UNAUTHENTICATED for a wrong token', async () => {
    const output = captureIo({ env: { PAYMENTS_ADDR: service.address, PAYMENTS_TOKEN: 'not-the-token-not-the-token' } });
    expect(await runPaymentsCli(['get', 'pay_1'], output.io)).toBe(1);
    expect(output.stderr).toMatch(/^ERROR: code = UNAUTHENTICATED \(16\)\n/);
  });

  it('exits 2 with the usage for usage errors, and prints each command help with 0', async () => {
    const missing = await run(['charge', '--order', 'o-5', '--amount', '1250', '--currency', 'EUR']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--customer is required\n\nUsage: npm run payments -- charge /);
    const badAmount = await run(['charge', '--order', 'o', '--amount', '12.50', '--currency', 'EUR', '--customer', 'c']);
    expect(badAmount.code).toBe(2);
    expect(badAmount.stderr).toContain('--amount must be a whole number');
    expect((await run(['charge', '--bogus'])).stderr).toMatch(/^Unknown option '--bogus'/);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    const noToken = captureIo({ env: { PAYMENTS_ADDR: service.address } });
    expect(await runPaymentsCli(['get', 'pay_1'], noToken.io)).toBe(2);
    expect(noToken.stderr).toMatch(/^no token: pass --token or set PAYMENTS_TOKEN/);
    for (const command of ['charge', 'get', 'watch', 'import', 'settle']) {
      const help = await run([command, '--help']);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: npm run payments -- ${command}`));
      expect(help.stdout).toContain('--addr <host:port>');
    }
    expect((await run(['--help'])).stdout).toContain('Commands:');
  });
});

describe('payments settle', () => {
  it('prints one result per id, in order: settled, already settled, not found', async () => {
    const first = await charge('o-settle-1', 'c-settle');
    const second = await charge('o-settle-2', 'c-settle');
    expect((await run(['settle', second])).code).toBe(0);
    const { code, stdout, stderr } = await run(['settle', first, second, 'pay_missing', first]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`${first}  settled: 12.50 EUR, customer c-settle`);
    expect(lines[1]).toMatch(new RegExp(`^${second}  not settled \\(already_settled at \\d{4}-.+Z\\): 12\\.50 EUR, customer c-settle$`));
    expect(lines[2]).toBe('pay_missing  not settled (not_found)');
    expect(lines[3]).toMatch(new RegExp(`^${first}  not settled \\(already_settled at `));
    expect((await run(['settle'])).code).toBe(2);
  });
});

describe('payments import', () => {
  it('streams a CSV with quoted fields and CRLF, and reports rejections by their line in the file', async () => {
    const file = join(directory, 'ledger.csv');
    writeFileSync(
      file,
      [
        'order_id,amount_cents,currency,customer_id,idempotency_key',
        '"o-imp-1, first",1000,EUR,c-imp,k-imp-1',
        'o-imp-2,20,EUR,c-imp,k-imp-2', // too small: rejected by the service
        '"o-imp-3 ""quoted""",2000,EUR,"c-imp",k-imp-3',
        '',
        'o-imp-4,12.50,EUR,c-imp,k-imp-4', // not a whole number: not sent
        'o-imp-5,3000,EUR,c-imp,', // no idempotency key: rejected by the service
        '"o-imp-6\nspanning lines",500,EUR,c-imp,k-imp-6',
        'o-imp-7,EUR,c-imp', // too few fields: not sent
        '',
      ].join('\r\n'),
    );
    const { code, stdout, stderr } = await run(['import', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'accepted: 3',
      'rejected: 4',
      'accepted amount: 35.00 EUR',
      '  line 3: amount_cents must be from 50 to 99999999 (minor units, e.g. cents); got 20',
      '  line 6: amount_cents must be a whole number of minor units (cents); got "12.50"',
      '  line 7: idempotency_key is required for an imported entry, so that re-running the import never charges twice',
      '  line 10: expected 5 fields, found 3',
      '',
    ]);
    const listed = await run(['watch', '--customer', 'c-imp']);
    expect(listed.stdout).toContain('order o-imp-1, first  10.00 EUR');
    expect(listed.stdout).toContain('order o-imp-3 "quoted"  20.00 EUR');
    expect(listed.stdout).toContain('order o-imp-6\nspanning lines  5.00 EUR');
  });

  it('draws a progress bar on a terminal, and exits 2 for a file without the header', async () => {
    const file = join(directory, 'progress.csv');
    writeFileSync(file, 'order_id,amount_cents,currency,customer_id,idempotency_key\no-p-1,1000,EUR,c-p,k-p-1\n');
    const withBar = await run(['import', file], { stderrIsTty: true });
    expect(withBar.code).toBe(0);
    expect(withBar.stderr).toContain('\r[##############################] 100%  1 entries sent');
    expect(withBar.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(withBar.stdout).toContain('accepted: 1\n');
    const headless = join(directory, 'headless.csv');
    writeFileSync(headless, 'o-p-2,1000,EUR,c-p,k-p-2\n');
    const refused = await run(['import', headless]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^the CSV header \(line 1\) lacks order_id, amount_cents/);
    const absent = await run(['import', join(directory, 'absent.csv')]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/^error: ENOENT/);
  });
});

describe('payments watch', () => {
  it('lists the existing payments of a customer and ends, without --follow', async () => {
    const first = await charge('o-w-1', 'c-watch');
    const second = await charge('o-w-2', 'c-watch');
    const { code, stdout } = await run(['watch', '--customer', 'c-watch']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `EXISTING  ${first}  order o-w-1  12.50 EUR  customer c-watch  SUCCEEDED\n` +
        `EXISTING  ${second}  order o-w-2  12.50 EUR  customer c-watch  SUCCEEDED\n`,
    );
    const json = await run(['watch', '--customer', 'c-watch', '--json']);
    expect(
      json.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toMatchObject([
      { kind: 'KIND_EXISTING', payment: { paymentId: first } },
      { kind: 'KIND_EXISTING', payment: { paymentId: second } },
    ]);
  });

  it('with --follow, prints new and settled payments until its signal aborts, then exits 0', async () => {
    const existing = await charge('o-f-1', 'c-follow');
    const interrupted = new AbortController();
    const output = captureIo({ env: { PAYMENTS_ADDR: service.address, PAYMENTS_TOKEN: TEST_TOKEN }, signal: interrupted.signal });
    const watching = runPaymentsCli(['watch', '--customer', 'c-follow', '--follow'], output.io);
    await output.untilStdout(/^EXISTING /m);
    const created = await charge('o-f-2', 'c-follow');
    await output.untilStdout(/^CREATED /m);
    await run(['settle', created]);
    await output.untilStdout(/^SETTLED /m);
    interrupted.abort();
    expect(await watching).toBe(0);
    expect(output.stderr).toBe('');
    expect(output.stdout.trimEnd().split('\n')).toEqual([
      `EXISTING  ${existing}  order o-f-1  12.50 EUR  customer c-follow  SUCCEEDED`,
      `CREATED   ${created}  order o-f-2  12.50 EUR  customer c-follow  SUCCEEDED`,
      `SETTLED   ${created}  order o-f-2  12.50 EUR  customer c-follow  SETTLED`,
    ]);
  });
});
