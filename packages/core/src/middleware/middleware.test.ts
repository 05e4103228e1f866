import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import type { ClientMiddleware } from '../client/client-middleware.js';
import { createContextKey } from '../context-key.js';
import { BidiStreamingMethod, ClientStreamingMethod, ServerStreamingMethod, UnaryMethod } from '../decorators/method.js';
import { Service } from '../decorators/service.js';
import { UseMiddleware } from '../decorators/use-middleware.js';
import { Metadata } from '../metadata.js';
import { createMethodOption, readMethodOption } from '../method-option.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import type { EchoRequest, ExpandRequest } from '../test-support/echo.generated.js';
import { EchoService } from '../test-support/echo.generated.js';
import { collect, type RunningApp, startApp } from '../test-support/harness.js';
import type { ServerMiddleware } from './server-middleware.js';

const callerKey = createContextKey<string>('anonymous', 'caller');

/** A middleware that records when it enters and leaves, with the call's final status. */
function recorder(name: string, log: string[]): ServerMiddleware {
  return async function* record(call, next) {
    log.push(`${name} in ${call.method.name}`);
    try {
      yield* next(call);
      log.push(`${name} out OK`);
    } catch (error: unknown) {
      log.push(`${name} out ${Status[RpcError.from(error).code]}`);
      throw error;
    }
  };
}

describe('server middleware', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('runs app-wide, then service, then method middleware as an onion, on all four modes', async () => {
    const log: string[] = [];
    @Service(EchoService)
    @UseMiddleware(recorder('service', log))
    class Handlers {
      @UnaryMethod()
      @UseMiddleware(recorder('method', log))
      echo(request: EchoRequest) {
        log.push('handler');
        return { message: request.message };
      }
      @ServerStreamingMethod()
      async *expand(request: ExpandRequest) {
        yield { message: request.message };
      }
      @ClientStreamingMethod()
      async collect(requests: AsyncIterable<EchoRequest>) {
        let count = 0;
        for await (const _request of requests) count++;
        return { count };
      }
      @BidiStreamingMethod()
      async *chat(requests: AsyncIterable<EchoRequest>) {
        for await (const request of requests) yield { message: request.message };
      }
    }
    running = await startApp({ services: [Handlers], middleware: [recorder('app', log)] });
    const client = running.client(EchoService);
    await client.echo({ message: 'x' });
    expect(log.splice(0)).toEqual([
      'app in Echo',
      'service in Echo',
      'method in Echo',
      'handler',
      'method out OK',
      'service out OK',
      'app out OK',
    ]);
    await collect(client.expand({ message: 's' }));
    await client.collect([{}, {}]);
    await collect(client.chat([{ message: 'b' }]));
    expect(log.splice(0)).toEqual([
      'app in Expand',
      'service in Expand',
      'service out OK',
      'app out OK',
      'app in Collect',
      'service in Collect',
      'service out OK',
      'app out OK',
      'app in Chat',
      'service in Chat',
      'service out OK',
      'app out OK',
    ]);
  });

  it('can change the request, the request stream, the responses and the final status', async () => {
    const rewrite: ServerMiddleware = async function* rewrite(call, next) {
      if (call.requestStream) {
        const requests = call.requests;
        async function* doubled() {
          for await (const request of requests) {
            yield request;
            yield request;
          }
        }
        yield* next({ ...call, requests: doubled() as AsyncIterable<never> });
        return;
      }
      const request = call.request as EchoRequest;
      try {
        for await (const response of next({ ...call, request: { ...request, message: `${request.message}!` } as never })) {
          yield { ...(response as object), message: `<${(response as { message: string }).message}>` } as never;
        }
      } catch (error: unknown) {
        throw new RpcError(Status.UNAVAILABLE, `translated: ${RpcError.from(error).rawMessage}`);
      }
    };
    running = await startApp({ middleware: [rewrite] }, (app) =>
      app.addService(EchoService, {
        echo: (request) => {
          if (request.failWithCode) throw new RpcError(Status.NOT_FOUND, 'gone');
          return { message: request.message };
        },
        async *expand(request) {
          for (let index = 0; index < request.count; index++) yield { message: `${request.message}${index}` };
        },
        collect: async (requests) => {
          let count = 0;
          for await (const _request of requests) count++;
          return { count };
        },
        async *chat(requests) {
          for await (const request of requests) yield { message: request.message };
        },
      }),
    );
    const client = running.client(EchoService);
    expect((await client.echo({ message: 'hi' })).message).toBe('<hi!>');
    expect((await collect(client.expand({ message: 'n', count: 2 }))).map((response) => response.message)).toEqual(['<n!0>', '<n!1>']);
    expect((await client.collect([{}, {}, {}])).count).toBe(6);
    expect((await collect(client.chat([{ message: 'a' }]))).map((response) => response.message)).toEqual(['a', 'a']);
    await expect(client.echo({ failWithCode: 5 })).rejects.toMatchObject({ code: Status.UNAVAILABLE, rawMessage: 'translated: gone' });
  });

  it('passes typed per-call values from middleware to handlers', async () => {
    const authenticate: ServerMiddleware = async function* authenticate(call, next) {
      call.context.set(callerKey, call.context.metadata.get('x-caller') ?? 'nobody');
      return yield* next(call);
    };
    running = await startApp({ middleware: [authenticate] }, (app) =>
      app.addService(
        EchoService,
        { echo: (_request, ctx: CallContext) => ({ message: ctx.get(callerKey) }) },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    expect((await client.echo({}, { metadata: { 'x-caller': 'alice' } })).message).toBe('alice');
    expect((await client.echo({})).message).toBe('nobody');
  });

  it('reads method options set by decorators: the method wins over its class', async () => {
    const Tag = createMethodOption<string>('tag');
    const seen: Record<string, string | undefined> = {};
    const readTag: ServerMiddleware = async function* readTag(call, next) {
      seen[call.method.name] = readMethodOption(call.method, Tag);
      return yield* next(call);
    };
    @Service(EchoService, { allowUnimplemented: true })
    @Tag('from the class')
    class Tagged {
      @Tag('from the method')
      @UnaryMethod()
      echo() {
        return {};
      }
      @ServerStreamingMethod()
      async *expand() {}
    }
    running = await startApp({ services: [Tagged], middleware: [readTag] });
    const client = running.client(EchoService);
    await client.echo({});
    await collect(client.expand({}));
    await client.collect([]).catch(() => {});
    expect(seen).toEqual({ Echo: 'from the method', Expand: 'from the class', Collect: 'from the class' });
  });

  it('fails the call, not the process, when a middleware calls next twice', async () => {
    const twice: ServerMiddleware = async function* twice(call, next) {
      yield* next(call);
      yield* next(call);
    };
    running = await startApp({ middleware: [twice] }, (app) =>
      app.addService(EchoService, { echo: () => ({}) }, { allowUnimplemented: true }),
    );
    await expect(running.client(EchoService).echo({})).rejects.toMatchObject({ code: Status.INTERNAL });
  });
});

describe('client middleware', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('wraps every mode, can add metadata, and sees the final status', async () => {
    running = await startApp({}, (app) =>
      app.addService(EchoService, {
        echo: (request, ctx) => {
          if (request.failWithCode) throw new RpcError(request.failWithCode, 'no');
          return { message: ctx.metadata.get('authorization') ?? '' };
        },
        async *expand(_request, ctx) {
          yield { message: ctx.metadata.get('authorization') ?? '' };
        },
        collect: async (requests, ctx) => {
          for await (const _request of requests);
          return { joined: ctx.metadata.get('authorization') ?? '' };
        },
        async *chat(requests, ctx) {
          for await (const _request of requests) yield { message: ctx.metadata.get('authorization') ?? '' };
        },
      }),
    );
    const log: string[] = [];
    const credentials: ClientMiddleware = async function* credentials(call, next) {
      const metadata = new Metadata(call.options.metadata);
      metadata.set('authorization', 'Bearer t0k3n');
      return yield* next({ ...call, options: { ...call.options, metadata } });
    };
    const outcome: ClientMiddleware = async function* outcome(call, next) {
      try {
        yield* next(call);
        log.push(`${call.method.name} OK`);
      } catch (error: unknown) {
        log.push(`${call.method.name} ${Status[RpcError.from(error).code]}`);
        throw error;
      }
    };
    const client = running.client(EchoService, { middleware: [outcome, credentials] });
    expect((await client.echo({})).message).toBe('Bearer t0k3n');
    expect((await collect(client.expand({})))[0]?.message).toBe('Bearer t0k3n');
    expect((await client.collect([{}])).joined).toBe('Bearer t0k3n');
    expect((await collect(client.chat([{}])))[0]?.message).toBe('Bearer t0k3n');
    await expect(client.echo({ failWithCode: Status.PERMISSION_DENIED })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect(log).toEqual(['Echo OK', 'Expand OK', 'Collect OK', 'Chat OK', 'Echo PERMISSION_DENIED']);
  });
});
