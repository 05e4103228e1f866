import { onTestFinished } from 'vitest';
import type { Payment } from '../gen/payments.js';
import { closeAll, connectionOf } from './charge-burst.js';
import type { PaymentsClient } from './serve-payments.js';
import { type DurableStore, serviceDatabase } from './service-database.js';
import { type ServiceProcess, startService } from './service-process.js';

/**
 * The time limit of a test that starts service processes: a safety net, not a measure. Each start takes seconds
 * on a loaded machine (6 to 9 s seen at a load average of 15 on 2 cores, mostly loading OpenTelemetry).
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** The token every process of a rig accepts. */
export const RIG_TOKEN = 'fault-test-token-0123456789abcdef';

/**
 * A database of the test's own on `store`, and the service processes (`node dist/main.js`) and clients a test
 * starts on it. After the test every client is closed, every process still running is killed, and the database
 * is removed. Charge is not rate limited here: the tests load it on purpose.
 */
export async function serviceRig(store: DurableStore, env: Readonly<Record<string, string>> = {}) {
  const database = await serviceDatabase(store);
  const processes: ServiceProcess[] = [];
  const clients: PaymentsClient[] = [];
  onTestFinished(async () => {
    closeAll(clients);
    for (const service of processes) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await database.drop();
  });
  const common = { PAYMENTS_DB: database.url, PAYMENTS_API_TOKENS: RIG_TOKEN, PAYMENTS_RATE_LIMIT: 'unlimited', ...env };
  return {
    /** Starts a process on the database (with `more` in its environment) and waits for its banner. */
    async start(more: Readonly<Record<string, string>> = {}) {
      const service = startService({ ...common, ...more });
      processes.push(service);
      return { ...service, address: await service.listening() };
    },
    /** A client on a connection of its own, with the token; closed after the test. */
    connect(address: string): PaymentsClient {
      const client = connectionOf(address, RIG_TOKEN);
      clients.push(client);
      return client;
    },
  };
}

/** Every payment of `customerId`, oldest first, as the service lists them (WatchPayments without follow). */
export async function paymentsOf(client: PaymentsClient, customerId: string): Promise<Payment[]> {
  const payments: Payment[] = [];
  for await (const event of client.watchPayments({ customerId, follow: false })) if (event.payment) payments.push(event.payment);
  return payments;
}
