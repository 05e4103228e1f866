import { fileURLToPath } from 'node:url';
import {
  type App,
  type ClientMiddleware,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  RpcError,
  type ServerMiddleware,
  type ServerStreaming,
  Status,
  type Unary,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { EchoRequest, EchoResponse, ExpandRequest } from '../../../core/src/test-support/echo.generated.js';
import { aborted, deferred } from '../../../core/src/test-support/harness.js';
import { deadlinePropagation } from './deadline-propagation.js';

// The core's test services, loaded through `@wirekit/core` like the middleware itself.
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', {
  includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
});
const EchoService = defineService<{ Echo: Unary<EchoRequest, EchoResponse>; Expand: ServerStreaming<ExpandRequest, EchoResponse> }>(
  protos,
  'wirekit.test.v1.EchoService',
);
const OtherService = defineService<{ Ping: Unary<EchoRequest, EchoResponse> }>(protos, 'wirekit.test.v1.OtherService');

async function serve(configure: (app: App) => void, middleware: ServerMiddleware[] = []): Promise<string> {
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), middleware });
  configure(app);
  const { address } = await app.listen('127.0.0.1:0');
  onTestFinished(() => app.close({ graceMs: 0 }));
  return address;
}

function clientOf<D extends Parameters<typeof createClient>[0]>(definition: D, address: string, middleware: ClientMiddleware[] = []) {
  const client = createClient(definition, address, { middleware });
  onTestFinished(() => closeClient(client));
  return client;
}

/** The downstream service: reports the deadline its handler got, and tells `onArrival` when a call arrives. */
async function serveDownstream(onArrival: (arrivedAt: number) => void = () => {}): Promise<string> {
  return serve((app) =>
    app.addService(
      EchoService,
      {
        echo: (_request, ctx) => {
          onArrival(Date.now());
          return { message: ctx.deadline ? String(ctx.deadline.getTime()) : 'none' };
        },
      },
      { allowUnimplemented: true },
    ),
  );
}

describe('deadlinePropagation', () => {
  it('gives a handler’s outgoing call its remaining deadline minus the margin', async () => {
    const deadlines = deadlinePropagation({ marginMs: 1_000 });
    let arrivedAt = 0;
    const downstream = clientOf(EchoService, await serveDownstream((at) => (arrivedAt = at)), [deadlines.client]);
    let sentAt = 0;
    const upstream = await serve(
      (app) =>
        app.addService(OtherService, {
          ping: async (_request, ctx) => {
            sentAt = Date.now();
            const seen = await downstream.echo({});
            return { message: `${ctx.deadline?.getTime()} ${seen.message}` };
          },
        }),
      [deadlines.server],
    );
    const [own, inherited] = (await clientOf(OtherService, upstream).ping({}, { timeoutMs: 5_000 })).message.split(' ').map(Number);
    // The wire carries a relative timeout, which the downstream server adds to its clock when the call arrives: the
    // inherited deadline is later by the time in transit, plus a millisecond of rounding each way.
    expect(inherited).toBeLessThanOrEqual((own as number) - 1_000 + (arrivedAt - sentAt) + 2);
    expect(inherited).toBeGreaterThanOrEqual((own as number) - 1_000 - 2);
  });

  it('keeps an outgoing call’s own earlier deadline, and adds none where the handler had none', async () => {
    const deadlines = deadlinePropagation({ marginMs: 100 });
    let arrivedAt = 0;
    const downstream = clientOf(EchoService, await serveDownstream((at) => (arrivedAt = at)), [deadlines.client]);
    const upstream = await serve(
      (app) =>
        app.addService(OtherService, {
          ping: async () => ({ message: `${Date.now()} ${(await downstream.echo({}, { timeoutMs: 2_000 })).message}` }),
        }),
      [deadlines.server],
    );
    const pinger = clientOf(OtherService, upstream);
    const [sentAt, seen] = (await pinger.ping({}, { timeoutMs: 60_000 })).message.split(' ').map(Number);
    // The call's own 2 s, counted by the downstream clock from when it arrived (plus rounding), not the 60 s.
    expect(seen).toBeLessThanOrEqual(arrivedAt + 2_000 + 2);
    expect(arrivedAt).toBeGreaterThanOrEqual(sentAt as number);

    const unbounded = await serve((app) => app.addService(OtherService, { ping: async () => downstream.echo({}) }), [deadlines.server]);
    expect((await clientOf(OtherService, unbounded).ping({})).message).toBe('none');
  });

  it('reaches handlers that are generators, after they yield', async () => {
    const deadlines = deadlinePropagation();
    const downstream = clientOf(EchoService, await serveDownstream(), [deadlines.client]);
    const upstream = await serve(
      (app) =>
        app.addService(
          EchoService,
          {
            async *expand() {
              yield { message: 'first' };
              yield { message: (await downstream.echo({})).message };
            },
          },
          { allowUnimplemented: true },
        ),
      [deadlines.server],
    );
    const replies: string[] = [];
    for await (const reply of clientOf(EchoService, upstream).expand({}, { timeoutMs: 5_000 })) replies.push(reply.message);
    expect(replies[0]).toBe('first');
    expect(replies[1]).not.toBe('none');
  });

  it('fails an outgoing call at once when the margin leaves no time', async () => {
    const deadlines = deadlinePropagation({ marginMs: 10_000 });
    let reached = false;
    const downstreamAddress = await serve((app) =>
      app.addService(
        EchoService,
        {
          echo: () => {
            reached = true;
            return {};
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const downstream = clientOf(EchoService, downstreamAddress, [deadlines.client]);
    const upstream = await serve(
      (app) =>
        app.addService(OtherService, {
          ping: async () => {
            const error = await downstream.echo({}).then(
              () => undefined,
              (thrown: unknown) => RpcError.from(thrown),
            );
            return { message: error ? Status[error.code] : 'OK' };
          },
        }),
      [deadlines.server],
    );
    expect((await clientOf(OtherService, upstream).ping({}, { timeoutMs: 5_000 })).message).toBe('DEADLINE_EXCEEDED');
    expect(reached).toBe(false);
  });

  it('cancels the downstream call when the client at the top cancels', async () => {
    const deadlines = deadlinePropagation();
    const downstreamStarted = deferred();
    const downstreamCancelled = deferred<unknown>();
    const downstreamAddress = await serve((app) =>
      app.addService(
        EchoService,
        {
          echo: async (_request, ctx) => {
            downstreamStarted.resolve();
            downstreamCancelled.resolve(await aborted(ctx.signal));
            throw ctx.signal.reason;
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const downstream = clientOf(EchoService, downstreamAddress, [deadlines.client]);
    const upstream = await serve((app) => app.addService(OtherService, { ping: () => downstream.echo({}) }), [deadlines.server]);

    const controller = new AbortController();
    const top = clientOf(OtherService, upstream).ping({}, { signal: controller.signal });
    await downstreamStarted.promise;
    controller.abort();
    await expect(top).rejects.toMatchObject({ code: Status.CANCELLED });
    // The downstream handler's own signal fired: its call was cancelled, not left to run to its end.
    expect(await downstreamCancelled.promise).toMatchObject({ code: Status.CANCELLED });
  });

  it('leaves calls made outside any handler alone', async () => {
    const deadlines = deadlinePropagation({ marginMs: 1_000 });
    const downstream = clientOf(EchoService, await serveDownstream(), [deadlines.client]);
    expect((await downstream.echo({})).message).toBe('none');
  });
});
