import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsService, TEST_TOKEN } from './test-support/cli-harness.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

let service: Awaited<ReturnType<typeof startPaymentsService>>;
beforeAll(async () => {
  service = await startPaymentsService();
});
afterAll(async () => {
  await service.close();
});

// `dist/cli/main.js` is built by `tsc -b`, which `npm test` runs before vitest.
describe('the built payments command, as a process', () => {
  it('charges with the token from PAYMENTS_TOKEN and exits 0, and exits 1 or 2 for failures', async () => {
    const env = { ...process.env, PAYMENTS_ADDR: service.address, PAYMENTS_TOKEN: TEST_TOKEN };
    const charged = await run(
      process.execPath,
      [MAIN, 'charge', '--order', 'o-proc', '--amount', '1250', '--currency', 'EUR', '--customer', 'c-proc', '--json'],
      { env },
    );
    expect(JSON.parse(charged.stdout)).toMatchObject({ orderId: 'o-proc', amountCents: '1250', status: 'PAYMENT_STATUS_SUCCEEDED' });
    await expect(run(process.execPath, [MAIN, 'get', 'pay_missing'], { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^ERROR: code = NOT_FOUND \(5\)\n/),
    });
    await expect(run(process.execPath, [MAIN, 'charge'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^--order is required\n\nUsage:/),
    });
  });
});
