// The client-side middlewares (client metrics, retry), over a real loopback server, in every RPC mode ×
// {normal, cancelled by the client mid-stream, handler failing mid-stream}: what each must show. (Credentials
// run in the auth cells of mode-matrix-gates.test.ts, against a server that checks them.)
import { RpcError, type ServerMiddleware, Status } from '@wirekit/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { clientMetrics } from '../metrics/client-metrics.js';
import { retry } from '../retry/retry.js';
import { expectOneCallCounted } from '../test-support/counted-call.js';
import { serveEcho } from '../test-support/echo-service.js';
import {
  driveCall,
  expectedClientCode,
  METHOD_OF_MODE,
  MODES,
  matrixHandlers,
  matrixProbe,
  SCENARIOS,
} from '../test-support/mode-matrix.js';

const SERVICE = 'wirekit.test.v1.EchoService';
const cells = MODES.flatMap((mode) => SCENARIOS.map((scenario) => ({ mode, scenario })));

describe('client middleware in every mode, over a real server', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it.each(cells)('clientMetrics: $mode, $scenario → handled once under the outcome, messages counted', async ({ mode, scenario }) => {
    const registry = new Registry();
    const probe = matrixProbe();
    const served = await serveEcho({ implementation: matrixHandlers(probe), clientMiddleware: [clientMetrics({ registry })] });
    running = served;
    const driven = await driveCall(served.client, mode, scenario, probe);
    const code = expectedClientCode(scenario);
    expect(driven.code).toBe(code);
    await expectOneCallCounted(registry, 'client', mode, scenario);
  });

  it.each(cells)('retry: $mode, $scenario → never retried once cancelled or past the first response', async ({ mode, scenario }) => {
    const probe = matrixProbe();
    let attempts = 0;
    const countAttempts: ServerMiddleware = async function* countAttempts(call, next) {
      attempts++;
      return yield* next(call);
    };
    const served = await serveEcho({
      middleware: [countAttempts],
      // A retryable failure mid-call: whether it is retried depends only on how far the call got.
      implementation: matrixHandlers(probe, { failure: () => new RpcError(Status.UNAVAILABLE, 'the backend went away mid-call') }),
      wrapTransport: retry({
        maxAttempts: 3,
        idempotentMethods: MODES.map((each) => `/${SERVICE}/${METHOD_OF_MODE[each]}`),
        sleep: async () => {},
      }),
    });
    running = served;
    const driven = await driveCall(served.client, mode, scenario, probe);
    const streamsResponses = mode === 'server_streaming' || mode === 'bidi_streaming';
    if (scenario === 'throw') {
      expect(driven.code).toBe(Status.UNAVAILABLE);
      // A unary or client-streaming attempt handed the caller nothing yet (its requests are replayable); a
      // response stream had handed over its first message, which a second attempt would repeat.
      expect(attempts).toBe(streamsResponses ? 1 : 3);
      expect(driven.replies).toHaveLength(streamsResponses ? 1 : 0);
    } else {
      expect(driven.code).toBe(expectedClientCode(scenario));
      expect(attempts).toBe(1);
    }
  });
});
