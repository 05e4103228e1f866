import {
  BidiStreamingMethod,
  type CallContext,
  createContextKey,
  defineService,
  Inject,
  InjectionToken,
  type OnShutdown,
  ProtoSet,
  type RpcError,
  ServerStreamingMethod,
  Service,
  Status,
  type Unary,
  UnaryMethod,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Greeter as StreamingGreeter } from './contract/test-support/greeter.js';
import { createTestApp } from './create-test-app.js';

const protos = ProtoSet.load('greeter/v1/greeter.proto', { includeDirs: [new URL('../../../docs/protos', import.meta.url).pathname] });
interface HelloRequest {
  name: string;
  times: number;
}
interface HelloReply {
  message: string;
}
const Greeter = defineService<{ SayHello: Unary<HelloRequest, HelloReply> }>(protos, 'greeter.v1.Greeter');

interface Clock {
  now(): number;
}
const CLOCK = new InjectionToken<Clock>('Clock');

@Service(Greeter, { allowUnimplemented: true })
class GreeterHandlers implements OnShutdown {
  static shutdowns = 0;
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}
  @UnaryMethod()
  sayHello(request: HelloRequest, _ctx: CallContext): HelloReply {
    if (request.name === 'boom') throw new Error('secret cause');
    return { message: `${request.name} at ${this.clock.now()}` };
  }
  onShutdown(): void {
    GreeterHandlers.shutdowns++;
  }
}

const callerKey = createContextKey<string>('anonymous', 'caller');

@Service(Greeter, { allowUnimplemented: true })
class WhoAmI {
  @UnaryMethod()
  sayHello(_request: HelloRequest, ctx: CallContext): HelloReply {
    return { message: ctx.get(callerKey) };
  }
}

describe('createTestApp', () => {
  it('sets per-call values before the middleware runs, such as the caller identity', async () => {
    const testApp = await createTestApp({ services: [WhoAmI], callContext: (ctx) => ctx.set(callerKey, 'alice'), cleanup: onTestFinished });
    expect((await testApp.client(Greeter).sayHello({})).message).toBe('alice');
  });

  it('serves the app in memory with an overridden provider', async () => {
    const testApp = await createTestApp({
      services: [GreeterHandlers],
      providers: [{ provide: CLOCK, useValue: { now: () => Date.now() } }],
      overrides: [{ provide: CLOCK, useValue: { now: () => 42 } }],
      cleanup: onTestFinished,
    });
    expect((await testApp.client(Greeter).sayHello({ name: 'Ada' })).message).toBe('Ada at 42');
    expect((await testApp.get(CLOCK)).now()).toBe(42);
  });

  it('captures the spans and metrics of the calls the test made', async () => {
    const testApp = await createTestApp({
      services: [GreeterHandlers],
      providers: [{ provide: CLOCK, useValue: { now: () => 1 } }],
      captureTelemetry: true,
      cleanup: onTestFinished,
    });
    const greeter = testApp.client(Greeter);
    await greeter.sayHello({ name: 'a' });
    await greeter.sayHello({ name: 'boom' }).catch(() => {});
    const spans = testApp.telemetry?.spans() ?? [];
    expect(spans.map((span) => [span.name, span.attributes['rpc.grpc.status_code']])).toEqual([
      ['greeter.v1.Greeter/SayHello', Status.OK],
      ['greeter.v1.Greeter/SayHello', Status.INTERNAL],
    ]);
    const handled = await testApp.telemetry?.registry.getSingleMetricAsString('grpc_server_handled_total');
    expect(handled).toContain('grpc_code="OK"} 1');
    expect(handled).toContain('grpc_code="INTERNAL"} 1');
  });

  it('captures what the app logged during the test', async () => {
    const testApp = await createTestApp({
      services: [GreeterHandlers],
      providers: [{ provide: CLOCK, useValue: { now: () => 1 } }],
      cleanup: onTestFinished,
    });
    const failure = (await testApp
      .client(Greeter)
      .sayHello({ name: 'boom' })
      .catch((error: unknown) => error)) as RpcError;
    expect(failure.code).toBe(Status.INTERNAL);
    expect(testApp.logs).toHaveLength(1);
    expect(testApp.logs[0]).toMatchObject({ level: 'error', fields: { method: '/greeter.v1.Greeter/SayHello' } });
    expect((testApp.logs[0]?.fields.err as Error | undefined)?.message).toBe('secret cause');
  });

  it('closes everything, runs shutdown hooks, and refuses calls after close; `await using` closes too', async () => {
    const before = GreeterHandlers.shutdowns;
    const handles = process.getActiveResourcesInfo().length;
    {
      await using testApp = await createTestApp({
        services: [GreeterHandlers],
        providers: [{ provide: CLOCK, useValue: { now: () => 1 } }],
      });
      await testApp.client(Greeter).sayHello({ name: 'x' });
    }
    expect(GreeterHandlers.shutdowns).toBe(before + 1);
    const testApp = await createTestApp({ services: [GreeterHandlers], providers: [{ provide: CLOCK, useValue: { now: () => 1 } }] });
    const client = testApp.client(Greeter);
    await testApp.close();
    await testApp.close();
    await expect(client.sayHello({ name: 'late' })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(handles);
  });
});

/** Why each open stream's handler saw its signal abort, by rpc, filled when the abort happens. */
const abortedStreams = new Map<string, unknown>();

function untilAborted(rpc: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        abortedStreams.set(rpc, signal.reason);
        resolve();
      },
      { once: true },
    );
  });
}

/** Streams that answer once, then stay open until the call is aborted. */
@Service(StreamingGreeter, { allowUnimplemented: true })
class OpenStreams {
  @ServerStreamingMethod()
  async *sayHelloStream(request: HelloRequest, ctx: CallContext): AsyncGenerator<HelloReply> {
    yield { message: `Hello, ${request.name}` };
    await untilAborted('SayHelloStream', ctx.signal);
  }
  @BidiStreamingMethod()
  async *converse(requests: AsyncIterable<HelloRequest>, ctx: CallContext): AsyncGenerator<HelloReply> {
    for await (const request of requests) {
      yield { message: request.name };
      await untilAborted('Converse', ctx.signal);
      return;
    }
  }
}

/** The active handles and requests of the process, counted by type (`Timeout`, `TCPSocketWrap`, ...). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

describe('closing a test app with streams still open', () => {
  it('leaves no handle of the app behind, and the handlers see their signals abort', async () => {
    abortedStreams.clear();
    const before = activeResources();
    let releaseRequests = (): void => {};
    // Registered before createTestApp's own cleanup, so vitest (which runs these hooks last-registered first)
    // checks after the app has closed.
    onTestFinished(() => {
      releaseRequests();
      // The same handles as before the app existed: the test runner's own (its worker port, this hook's
      // timeout), nothing of the app, its streams or its telemetry.
      expect(activeResources()).toEqual(before);
      expect([...abortedStreams.keys()].sort()).toEqual(['Converse', 'SayHelloStream']);
      for (const reason of abortedStreams.values()) expect(reason).toMatchObject({ code: Status.CANCELLED });
      // Both calls ended before the telemetry closed, so their spans were recorded, as cancelled.
      const spans = testApp.telemetry?.spans() ?? [];
      expect(spans.map((span) => [span.name, span.attributes['rpc.grpc.status_code']]).sort()).toEqual([
        ['greeter.v1.Greeter/Converse', Status.CANCELLED],
        ['greeter.v1.Greeter/SayHelloStream', Status.CANCELLED],
      ]);
    });
    const testApp = await createTestApp({ services: [OpenStreams], captureTelemetry: true, cleanup: onTestFinished });
    const greeter = testApp.client(StreamingGreeter);

    const greetings = greeter.sayHelloStream({ name: 'Ada' })[Symbol.asyncIterator]();
    expect((await greetings.next()).value).toEqual({ message: 'Hello, Ada' });
    const held = new Promise<void>((resolve) => {
      releaseRequests = resolve;
    });
    const requests = (async function* () {
      yield { name: 'Grace' };
      await held;
    })();
    const replies = greeter.converse(requests)[Symbol.asyncIterator]();
    expect((await replies.next()).value).toEqual({ message: 'Grace' });
    expect(testApp.app.callsInFlight).toBe(2);
    expect(abortedStreams.size).toBe(0);
  });
});
