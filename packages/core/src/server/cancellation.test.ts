import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { type EchoRequest, EchoService } from '../test-support/echo.generated.js';
import { aborted, deferred, type RunningApp, startApp } from '../test-support/harness.js';

describe('cancellation and deadlines reach the handler as ctx.signal', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** An app whose every handler parks until its signal aborts, reporting the context it saw. */
  async function startParkedApp() {
    const seen = deferred<CallContext>();
    const reasons: unknown[] = [];
    const park = async (ctx: CallContext): Promise<never> => {
      seen.resolve(ctx);
      const reason = await aborted(ctx.signal);
      reasons.push(reason);
      throw reason;
    };
    running = await startApp({}, (app) =>
      app.addService(EchoService, {
        echo: (_request, ctx) => park(ctx),
        async *expand(_request, ctx) {
          yield { message: 'first' };
          await park(ctx);
        },
        collect: async (requests, ctx) => {
          for await (const _request of requests) seen.resolve(ctx);
          return {};
        },
        async *chat(requests, ctx) {
          for await (const request of requests) {
            seen.resolve(ctx);
            yield { message: request.message };
          }
        },
      }),
    );
    return { seen: seen.promise, reasons, client: running.client(EchoService) };
  }

  it('fires CANCELLED on the server when the client aborts a unary call', async () => {
    const { seen, reasons, client } = await startParkedApp();
    const controller = new AbortController();
    const call = client.echo({ message: 'wait' }, { signal: controller.signal });
    const ctx = await seen;
    controller.abort(new Error('user left'));
    await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
    const reason = await aborted(ctx.signal);
    expect(reason).toBeInstanceOf(RpcError);
    expect((reason as RpcError).code).toBe(Status.CANCELLED);
    expect(reasons).toHaveLength(1);
  });

  it('fires CANCELLED on the server when the client stops reading a server stream', async () => {
    const { seen, client } = await startParkedApp();
    for await (const response of client.expand({ count: 10 })) {
      expect(response.message).toBe('first');
      break;
    }
    const ctx = await seen;
    expect(((await aborted(ctx.signal)) as RpcError).code).toBe(Status.CANCELLED);
  });

  it('ends the request stream of a client-streaming handler with CANCELLED when the client aborts', async () => {
    const { seen, client } = await startParkedApp();
    const controller = new AbortController();
    const sent = deferred();
    async function* requests() {
      yield { message: 'a' };
      sent.resolve();
      await aborted(controller.signal);
    }
    const call = client.collect(requests(), { signal: controller.signal });
    const ctx = await seen;
    await sent.promise;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(((await aborted(ctx.signal)) as RpcError).code).toBe(Status.CANCELLED);
  });

  it('cancels a bidi call from the client and the handler sees it', async () => {
    const { seen, client } = await startParkedApp();
    const controller = new AbortController();
    async function* requests() {
      yield { message: 'a' };
      await aborted(controller.signal);
    }
    const responses = client.chat(requests(), { signal: controller.signal });
    const iterator = responses[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ message: 'a' });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: Status.CANCELLED });
    const ctx = await seen;
    expect(((await aborted(ctx.signal)) as RpcError).code).toBe(Status.CANCELLED);
  });

  it('fires DEADLINE_EXCEEDED on the server and the client when the deadline passes', async () => {
    const { seen, client } = await startParkedApp();
    const started = Date.now();
    const call = client.echo({ message: 'slow' }, { timeoutMs: 200 });
    const ctx = await seen;
    expect(ctx.deadline).toBeInstanceOf(Date);
    expect(ctx.deadline?.getTime()).toBeGreaterThan(started);
    expect(ctx.deadline?.getTime()).toBeLessThanOrEqual(started + 1_000);
    await expect(call).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    const reason = (await aborted(ctx.signal)) as RpcError;
    expect(reason.code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('carries a deadline given as a Date to the handler and fires DEADLINE_EXCEEDED on both ends when it passes', async () => {
    const { seen, client } = await startParkedApp();
    const calledAt = Date.now();
    const deadline = new Date(calledAt + 500);
    const call = client.echo({ message: 'slow' }, { deadline });
    const ctx = await seen;
    const seenAt = Date.now();
    // On the wire the deadline travels as a grpc-timeout, rounded up to the millisecond, that the server counts
    // from the call's arrival: its deadline is the one given, later by at most the time the call took to arrive.
    const serverDeadline = ctx.deadline?.getTime();
    expect(serverDeadline).toBeGreaterThanOrEqual(deadline.getTime());
    expect(serverDeadline).toBeLessThanOrEqual(deadline.getTime() + (seenAt - calledAt));
    await expect(call).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(((await aborted(ctx.signal)) as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('never lets a client-streaming handler see a clean end when the client gave up at its deadline', async () => {
    // A Node.js client whose deadline passes sends END_STREAM just before RST_STREAM, at about the moment the
    // server's own deadline passes: the end must not be believed, or a handler would commit an expired stream.
    let cleanEnds = 0;
    const ended: Promise<void>[] = [];
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          collect: (requests) => {
            const drained = (async () => {
              for await (const _request of requests);
              cleanEnds++;
            })();
            ended.push(drained.catch(() => {}));
            return drained.then(() => ({}));
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    const calls = Array.from({ length: 20 }, (_, index) => {
      async function* stalled() {
        yield { message: `m${index}` };
        await new Promise<never>(() => {});
      }
      return client.collect(stalled(), { timeoutMs: 150 + index * 5 });
    });
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    await running.close();
    await Promise.all(ended);
    expect(ended).toHaveLength(20);
    expect(cleanEnds).toBe(0);
  });

  it('gives a handler no deadline when the client sets none', async () => {
    const seen = deferred<CallContext>();
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: (request: EchoRequest, ctx) => {
            seen.resolve(ctx);
            return { message: request.message };
          },
        },
        { allowUnimplemented: true },
      ),
    );
    await running.client(EchoService).echo({ message: 'x' });
    const ctx = await seen.promise;
    expect(ctx.deadline).toBeUndefined();
    expect(ctx.signal.aborted).toBe(false);
  });

  it('lets a server-side abort end the client stream with the status the handler chose', async () => {
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          async *expand() {
            yield { message: 'one' };
            throw new RpcError(Status.CANCELLED, 'the server gave up');
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const received: string[] = [];
    const stream = running.client(EchoService).expand({ count: 3 });
    await expect(
      (async () => {
        for await (const response of stream) received.push(response.message);
      })(),
    ).rejects.toMatchObject({ code: Status.CANCELLED, rawMessage: 'the server gave up' });
    expect(received).toEqual(['one']);
  });

  it('rejects at once a call whose signal is already aborted, without sending it', async () => {
    const { client } = await startParkedApp();
    await expect(client.echo({}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(running?.app.callsInFlight).toBe(0);
  });
});
