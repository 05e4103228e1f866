import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createPaymentsApp, paymentsMiddleware } from '../../payments-app.js';
import { readPaymentsConfig } from '../../payments-config.js';
import type { CliIo } from '../cli-io.js';

/** The API token the test service accepts. */
export const TEST_TOKEN = 'a-test-token-of-at-least-16-characters';

/** The payments service with its production middleware (auth with `TEST_TOKEN`), over loopback on a free port. */
export async function startPaymentsService(): Promise<{ address: string; close: () => Promise<void> }> {
  const config = readPaymentsConfig({ PAYMENTS_API_TOKENS: TEST_TOKEN });
  const app = createPaymentsApp({
    middleware: paymentsMiddleware(config, { logger: pino({ level: 'silent' }), registry: new Registry() }),
    shutdownSignals: [],
  });
  const { address } = await app.listen('127.0.0.1:0');
  return { address, close: () => app.close({ graceMs: 0 }) };
}

/** A `CliIo` that keeps what is written, and resolves `untilStdout` once the output matches. */
export function captureIo(options: Partial<CliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const io: CliIo = {
    env: {},
    ...options,
    stdout: (text) => {
      stdout += text;
      for (const waiter of waiting.filter(({ pattern }) => pattern.test(stdout))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  return {
    io,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    untilStdout(pattern: RegExp): Promise<void> {
      if (pattern.test(stdout)) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ pattern, resolve }));
    },
  };
}
