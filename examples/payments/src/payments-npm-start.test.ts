import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClient, createClient } from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { importInFlight } from './test-support/held-import.js';
import { entry } from './test-support/serve-payments.js';
import { type ServiceLaunch, startService } from './test-support/service-process.js';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const TOKEN = 'npm-start-test-token-0123456789';
const AUTHORIZED = { metadata: { authorization: `Bearer ${TOKEN}` } };
/** The README's command, from the repository root, in a process group of its own as a terminal would run it. */
const NPM_START: ServiceLaunch = { command: 'npm', args: ['start'], cwd: REPOSITORY, detached: true };
/** `npm start` runs `tsc -b` first: quick when the build is up to date (as in CI), longer after edits. */
const BUILD_AND_DRAIN_MS = 180_000;

/** Whether process `pid` (or, negative, any process of group `-pid`) still exists. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Sends `signal` to every process of the group `leader` started, if any is left. */
function signalGroup(leader: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leader, signal);
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

describe('npm start (root script → workspace script → node), stopped the ways people stop it', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  async function start() {
    const directory = mkdtempSync(join(tmpdir(), 'wirekit-npm-start-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const database = join(directory, 'payments.db');
    const npm = startService({ PAYMENTS_DB: database, PAYMENTS_API_TOKENS: TOKEN }, NPM_START);
    const npmPid = npm.child.pid ?? 0;
    // The whole group, so that a server npm left behind (the failure this file guards against) goes too.
    cleanups.push(() => signalGroup(npmPid, 'SIGKILL'));
    const address = await npm.listening();
    const client = createClient(PaymentService, address);
    cleanups.push(() => closeClient(client));
    // A call first, as a user would make; its log line names the server's process (pino's `pid`).
    await expect(
      client.charge({ orderId: 'o-first', amountCents: 1_250n, currency: 'EUR', customerId: 'c1' }, AUTHORIZED),
    ).resolves.toMatchObject({ orderId: 'o-first' });
    const [, serverPid = ''] = await npm.line(/"pid":(\d+).*"method":"\/payments\.v1\.PaymentService\/Charge"/);
    expect(Number(serverPid)).not.toBe(npmPid);
    return { npm, npmPid, serverPid: Number(serverPid), database, client };
  }

  async function orderIdsAt(database: string): Promise<string[]> {
    const ledger = new SqliteLedger({ path: database });
    await ledger.onStart();
    try {
      return (await ledger.listPayments({ limit: 1_000 })).payments.map((payment) => payment.orderId);
    } finally {
      await ledger.onShutdown();
    }
  }

  type Started = Awaited<ReturnType<typeof start>>;

  async function drainsAfter(signal: (service: Started) => void, during: (service: Started) => Promise<void> = async () => {}) {
    const service = await start();
    const first = Array.from({ length: 3 }, (_, index) => entry(`k-${index}`));
    const rest = Array.from({ length: 2 }, (_, index) => entry(`k-${index + 3}`));
    const { summary, finish } = await importInFlight(service.client, first, rest, AUTHORIZED);

    signal(service);
    await service.npm.line(/shutting down gracefully/);
    await during(service);
    // The import was in progress when the signal came: it is let finish, and commits.
    finish();
    await expect(summary).resolves.toMatchObject({ accepted: 5, rejected: 0 });
    // npm waits for the server it forwarded the signal to, and passes on its exit status 0.
    expect(await service.npm.exited).toEqual({ code: 0, signal: null });
    expect(isRunning(service.serverPid)).toBe(false);
    expect(isRunning(-service.npmPid), 'a process is left in the group npm start began').toBe(false);
    expect(await orderIdsAt(service.database)).toEqual(['o-first', ...[...first, ...rest].map((sent) => sent.orderId)]);
  }

  it(
    'drains on SIGTERM sent to the npm process alone (as a process manager sends it), then everything exits 0',
    async () => {
      await drainsAfter(({ npm }) => npm.child.kill('SIGTERM'));
    },
    BUILD_AND_DRAIN_MS,
  );

  it(
    'drains on Ctrl-C, pressed twice: each reaches every process of the group and each npm forwards it again',
    async () => {
      const ctrlC = ({ npmPid }: Started) => signalGroup(npmPid, 'SIGINT');
      await drainsAfter(ctrlC, async (service) => {
        ctrlC(service);
        await service.npm.line(/"signal":"SIGINT".*already shutting down gracefully/);
      });
    },
    BUILD_AND_DRAIN_MS,
  );
});
