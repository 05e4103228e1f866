import { type Client, closeClient, createClient } from '@wirekit/core';
import { credentials } from '@wirekit/middleware/auth';
import { PaymentService } from '../gen/payments.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

/** The typed client of the payments service. */
export type PaymentsClient = Client<typeof PaymentService>;

/** Where to connect and as whom, from `--addr` / `--token` or the environment. */
export interface ConnectionOptions {
  readonly addr?: string | undefined;
  readonly token?: string | undefined;
}

/**
 * Connects to the service at `--addr` (else `PAYMENTS_ADDR`, else `127.0.0.1:50051`), sending `--token` (else
 * `PAYMENTS_TOKEN`) as a bearer token with every call, runs `use`, and closes the channel whatever happens.
 */
export async function withPaymentsClient<T>(
  options: ConnectionOptions,
  io: CliIo,
  usage: string,
  use: (client: PaymentsClient) => Promise<T>,
): Promise<T> {
  const address = options.addr ?? io.env?.PAYMENTS_ADDR ?? '127.0.0.1:50051';
  const token = options.token ?? io.env?.PAYMENTS_TOKEN ?? '';
  if (token === '') {
    throw new UsageError('no token: pass --token or set PAYMENTS_TOKEN (the service prints one when it starts)', usage);
  }
  const client = createClient(PaymentService, address, { middleware: [credentials({ token })] });
  try {
    return await use(client);
  } finally {
    closeClient(client);
  }
}
