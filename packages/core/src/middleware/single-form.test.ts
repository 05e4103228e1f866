import { afterEach, describe, expect, it } from 'vitest';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { type EchoRequest, EchoService } from '../test-support/echo.generated.js';
import { collect, type RunningApp, startApp } from '../test-support/harness.js';
import { type ServerMiddleware, withSingleForm } from './server-middleware.js';

/** A middleware with both forms, recording which form ran, in which order, and how the call ended. */
function twoForms(name: string, log: string[]): ServerMiddleware {
  return withSingleForm(
    async function* generatorForm(call, next) {
      log.push(`${name} generator in ${call.method.name}`);
      try {
        yield* next(call);
        log.push(`${name} generator out OK`);
      } catch (error: unknown) {
        log.push(`${name} generator out ${Status[RpcError.from(error).code]}`);
        throw error;
      }
    },
    async (call, next) => {
      log.push(`${name} single in ${call.method.name}`);
      try {
        const response = await next(call);
        log.push(`${name} single out OK`);
        return response;
      } catch (error: unknown) {
        log.push(`${name} single out ${Status[RpcError.from(error).code]}`);
        throw error;
      }
    },
  );
}

/** A middleware with the generator form only. */
function generatorOnly(log: string[]): ServerMiddleware {
  return async function* plain(call, next) {
    log.push(`plain in ${call.method.name}`);
    yield* next(call);
  };
}

function handlers(log: string[]) {
  return {
    echo: (request: EchoRequest) => {
      log.push('handler');
      if (request.failWithCode !== 0) throw new RpcError(request.failWithCode as Status, 'failed as asked');
      if (request.message === 'throw a TypeError') throw new TypeError('a bug in the handler');
      return { message: request.message.toUpperCase() };
    },
    expand: async function* (request: { message: string }) {
      yield { message: request.message };
    },
    collect: async (requests: AsyncIterable<EchoRequest>) => {
      let count = 0;
      for await (const _request of requests) count++;
      log.push('handler');
      return { count };
    },
    chat: async function* (requests: AsyncIterable<EchoRequest>) {
      for await (const request of requests) yield { message: request.message };
    },
  };
}

describe('the single form of server middleware', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('runs unary and client-streaming calls through the single forms, in onion order, and streams through the generators', async () => {
    const log: string[] = [];
    running = await startApp({ middleware: [twoForms('outer', log), twoForms('inner', log)] }, (app) =>
      app.addService(EchoService, handlers(log)),
    );
    const client = running.client(EchoService);
    expect(await client.echo({ message: 'hi' })).toMatchObject({ message: 'HI' });
    expect((await client.collect([{}, {}])).count).toBe(2);
    expect(log.splice(0)).toEqual([
      'outer single in Echo',
      'inner single in Echo',
      'handler',
      'inner single out OK',
      'outer single out OK',
      'outer single in Collect',
      'inner single in Collect',
      'handler',
      'inner single out OK',
      'outer single out OK',
    ]);
    await collect(client.expand({ message: 's' }));
    await collect(client.chat([{ message: 'b' }]));
    expect(log.splice(0)).toEqual([
      'outer generator in Expand',
      'inner generator in Expand',
      'inner generator out OK',
      'outer generator out OK',
      'outer generator in Chat',
      'inner generator in Chat',
      'inner generator out OK',
      'outer generator out OK',
    ]);
  });

  it('uses the generators for every mode when one middleware of the chain has no single form', async () => {
    const log: string[] = [];
    running = await startApp({ middleware: [twoForms('outer', log), generatorOnly(log)] }, (app) =>
      app.addService(EchoService, handlers(log)),
    );
    const client = running.client(EchoService);
    await client.echo({ message: 'hi' });
    expect(log.splice(0)).toEqual(['outer generator in Echo', 'plain in Echo', 'handler', 'outer generator out OK']);
  });

  it('sees a failed handler as a rejection, an RpcError by its code and a thrown bug as INTERNAL', async () => {
    const log: string[] = [];
    running = await startApp({ middleware: [twoForms('only', log)] }, (app) => app.addService(EchoService, handlers(log)));
    const client = running.client(EchoService);
    await expect(client.echo({ message: 'x', failWithCode: Status.NOT_FOUND })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(client.echo({ message: 'throw a TypeError' })).rejects.toMatchObject({ code: Status.INTERNAL });
    expect(log).toEqual([
      'only single in Echo',
      'handler',
      'only single out NOT_FOUND',
      'only single in Echo',
      'handler',
      'only single out INTERNAL',
    ]);
  });

  it('refuses a second next() of a single form, running the handler once', async () => {
    const log: string[] = [];
    const twice = withSingleForm(
      async function* twice(call, next) {
        yield* next(call);
      },
      async (call, next) => {
        await next(call);
        return next(call);
      },
    );
    running = await startApp({ middleware: [twice] }, (app) => app.addService(EchoService, handlers(log)));
    await expect(running.client(EchoService).echo({ message: 'x' })).rejects.toMatchObject({ code: Status.INTERNAL });
    expect(log).toEqual(['handler']);
  });
});
