// The middlewares that let a call through or hold it (rate limit, auth with the client's credentials, deadline
// propagation), over a real loopback server, in every RPC mode × {normal, cancelled by the client mid-stream,
// handler throwing mid-stream}: what each must show.
import { type CallContext, closeClient, createClient, Status } from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { auth } from '../auth/auth.js';
import { credentials } from '../auth/credentials.js';
import { deadlinePropagation } from '../deadline/deadline-propagation.js';
import { rateLimit } from '../rate-limit/rate-limit.js';
import { aborted, EchoService, serveEcho } from '../test-support/echo-service.js';
import { deferred, driveCall, expectedClientCode, MODES, matrixHandlers, matrixProbe, SCENARIOS } from '../test-support/mode-matrix.js';
import { identityKey } from './identity.js';

const cells = MODES.flatMap((mode) => SCENARIOS.map((scenario) => ({ mode, scenario })));
const API_TOKEN = 'matrix-token-0123456789abcdef';

describe('gatekeeping middleware in every mode, over a real server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function serve(options: Parameters<typeof serveEcho>[0]) {
    const served = await serveEcho(options);
    cleanups.unshift(() => served.close());
    return served;
  }

  it.each(cells)(
    'rateLimit: $mode, $scenario → one token taken, not given back; the end status passes through',
    async ({ mode, scenario }) => {
      const probe = matrixProbe();
      // Two calls a minute on a clock that stands still: no token comes back while the test runs.
      const { client } = await serve({
        middleware: [rateLimit({ limit: '2/min', clock: () => 0 })],
        implementation: matrixHandlers(probe),
      });
      expect(await driveCall(client, mode, scenario, probe)).toMatchObject({ code: expectedClientCode(scenario) });
      // The call took one token (not one per message, and not none): one call is left.
      expect(await driveCall(client, mode, 'normal', matrixProbe())).toMatchObject({ code: Status.OK });
      // A cancelled or failed call did not give its token back.
      expect(await driveCall(client, mode, 'normal', matrixProbe())).toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
    },
  );

  it.each(cells)(
    'auth with credentials: $mode, $scenario → the authenticated call runs, ends as it ended, sees its abort',
    async ({ mode, scenario }) => {
      const probe = matrixProbe();
      const subjects: (string | undefined)[] = [];
      const handlers = matrixHandlers(probe, { midway: async (context) => void subjects.push(context.get(identityKey)?.subject) });
      const { client } = await serve({
        middleware: [auth({ apiTokens: [{ name: 'matrix-client', token: API_TOKEN }] })],
        implementation: handlers,
        clientMiddleware: [credentials({ token: API_TOKEN })],
      });
      expect(await driveCall(client, mode, scenario, probe)).toMatchObject({ code: expectedClientCode(scenario) });
      expect(subjects).toEqual(['matrix-client']);
      // The authenticated stream torn down by its client: the handler's signal aborted with CANCELLED.
      if (scenario === 'cancel') expect(await probe.handlerAborted.promise).toMatchObject({ code: Status.CANCELLED });
    },
  );

  it.each(MODES)('auth: %s without credentials → UNAUTHENTICATED before the handler sees a message', async (mode) => {
    const probe = matrixProbe();
    let handled = 0;
    const { address } = await serve({
      middleware: [auth({ apiTokens: [{ name: 'matrix-client', token: API_TOKEN }] })],
      implementation: matrixHandlers(probe, { midway: async () => void handled++ }),
    });
    const anonymous = createClient(EchoService, address);
    cleanups.push(() => closeClient(anonymous));
    expect(await driveCall(anonymous, mode, 'normal', probe)).toMatchObject({ code: Status.UNAUTHENTICATED, replies: [] });
    expect(handled).toBe(0);
  });

  describe('deadlinePropagation', () => {
    const MARGIN_MS = 10_000;
    const TIMEOUT_MS = 60_000;
    // How far the downstream deadline may be from the upstream one minus the margin: the time the request takes
    // to arrive, and grpc-timeout's rounding. Far less than the margin, so a deadline passed on without it fails.
    const SLACK_MS = 2_000;

    it.each(cells)(
      '$mode, $scenario → the downstream call of a handler inherits deadline minus margin, and its cancellation',
      async ({ mode, scenario }) => {
        const deadlines = deadlinePropagation({ marginMs: MARGIN_MS });
        const downstreamStarted = deferred<void>();
        const downstreamAborted = deferred<unknown>();
        const downstreamDeadlines: (Date | undefined)[] = [];
        const downstream = await serve({
          clientMiddleware: [deadlines.client],
          implementation: {
            echo: async (request, context: CallContext) => {
              downstreamDeadlines.push(context.deadline);
              downstreamStarted.resolve();
              if (request.message !== 'park') return { message: request.message };
              const reason = await aborted(context.signal);
              downstreamAborted.resolve(reason);
              throw reason;
            },
          },
        });
        const probe = matrixProbe();
        const upstream = await serve({
          middleware: [deadlines.server],
          // Midway through every mode, the handler calls downstream; when its client cancels, that call waits.
          implementation: matrixHandlers(probe, {
            midway: async () => void (await downstream.client.echo({ message: scenario === 'cancel' ? 'park' : 'quick' })),
          }),
        });
        const deadline = new Date(Date.now() + TIMEOUT_MS);
        const driven = await driveCall(upstream.client, mode, scenario, probe, { deadline, cancelAfter: downstreamStarted.promise });
        expect(driven.code).toBe(expectedClientCode(scenario));
        expect(downstreamDeadlines).toHaveLength(1);
        const inherited = downstreamDeadlines[0]?.getTime() ?? Number.NaN;
        expect(inherited).toBeGreaterThan(deadline.getTime() - MARGIN_MS - SLACK_MS);
        expect(inherited).toBeLessThan(deadline.getTime() - MARGIN_MS + SLACK_MS);
        if (scenario === 'cancel') expect(await downstreamAborted.promise).toMatchObject({ code: Status.CANCELLED });
      },
    );
  });
});
