import {
  type CallContext,
  createContextKey,
  defineService,
  Inject,
  InjectionToken,
  type OnShutdown,
  ProtoSet,
  type RpcError,
  Service,
  Status,
  type Unary,
  UnaryMethod,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
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
