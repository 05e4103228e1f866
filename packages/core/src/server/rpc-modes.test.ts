import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { EchoHandlers } from '../test-support/echo-handlers.js';
import { collect, type RunningApp, startApp, TEST_TRANSPORT } from '../test-support/harness.js';

describe('the four rpc modes over loopback', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it(`reaches the handler over ${TEST_TRANSPORT === 'memory' ? 'the in-memory transport' : 'loopback TCP'}, naming the method and mode`, async () => {
    const seen: Pick<CallContext, 'peer' | 'method'>[] = [];
    const record = (ctx: CallContext): void => {
      seen.push({ peer: ctx.peer, method: ctx.method });
    };
    running = await startApp({}, (app) =>
      app.addService(EchoService, {
        echo: (_request, ctx) => {
          record(ctx);
          return {};
        },
        async *expand(_request, ctx) {
          record(ctx);
          yield {};
        },
        collect: async (requests, ctx) => {
          record(ctx);
          for await (const _request of requests);
          return {};
        },
        async *chat(requests, ctx) {
          record(ctx);
          yield* requests;
        },
      }),
    );
    const client = running.client(EchoService);
    await client.echo({});
    await collect(client.expand({}));
    await client.collect([{}]);
    await collect(client.chat([{}]));

    expect(seen.map(({ method }) => [method.path, method.mode, method.requestStream, method.responseStream])).toEqual([
      ['/wirekit.test.v1.EchoService/Echo', 'unary', false, false],
      ['/wirekit.test.v1.EchoService/Expand', 'server_streaming', false, true],
      ['/wirekit.test.v1.EchoService/Collect', 'client_streaming', true, false],
      ['/wirekit.test.v1.EchoService/Chat', 'bidi_streaming', true, true],
    ]);
    const peers = seen.map(({ peer }) => peer);
    if (TEST_TRANSPORT === 'memory') {
      // The memory project really runs in memory: no socket, so no peer address and no port to give.
      expect(peers).toEqual(['in-memory', 'in-memory', 'in-memory', 'in-memory']);
      expect(() => running?.port).toThrow(/needs a socket/);
    } else {
      // The client's end of a real loopback connection: its own ephemeral port, not the server's.
      const serverPort = running.port;
      for (const peer of peers) {
        expect(peer).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(peer).not.toBe(`127.0.0.1:${serverPort}`);
      }
    }
  });

  describe.each([
    ['decorated class', () => startApp({ services: [EchoHandlers] })],
    [
      'plain object with addService',
      () =>
        startApp({}, (app) => {
          const handlers = new EchoHandlers();
          app.addService(EchoService, {
            echo: (request, ctx) => handlers.echo(request, ctx),
            expand: (request, ctx) => handlers.expand(request, ctx),
            collect: (requests, ctx) => handlers.collect(requests, ctx),
            chat: (requests, ctx) => handlers.chat(requests, ctx),
          });
        }),
    ],
  ])('implemented as a %s', (_name, start) => {
    it('answers a unary call, keeping 64-bit integers and bytes exact', async () => {
      running = await start();
      const client = running.client(EchoService);
      const response = await client.echo({ message: 'hello', sequence: 9_007_199_254_740_993n, payload: new Uint8Array([0, 255, 7]) });
      expect(response.message).toBe('hello');
      expect(response.sequence).toBe(9_007_199_254_740_993n);
      expect([...response.payload]).toEqual([0, 255, 7]);
    });

    it('streams server responses in order', async () => {
      running = await start();
      const client = running.client(EchoService);
      const responses = await collect(client.expand({ message: 'item', count: 5 }));
      expect(responses.map((response) => response.message)).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4']);
      expect(responses.map((response) => response.sequence)).toEqual([0n, 1n, 2n, 3n, 4n]);
    });

    it('reads a client stream to its end and answers once', async () => {
      running = await start();
      const client = running.client(EchoService);
      async function* requests() {
        for (let index = 1; index <= 4; index++) yield { message: `m${index}`, sequence: BigInt(index) };
      }
      const summary = await client.collect(requests());
      expect(summary).toMatchObject({ count: 4, joined: 'm1,m2,m3,m4', sequenceTotal: 10n });
    });

    it('answers each bidi message as it comes, interleaved', async () => {
      running = await start();
      const client = running.client(EchoService);
      const outgoing: string[] = [];
      const heard: string[] = [];
      let answered: (() => void) | undefined;
      async function* requests() {
        for (const word of ['one', 'two', 'three']) {
          outgoing.push(word);
          yield { message: word };
          // Wait for the answer before sending the next: proves responses flow while requests are still open.
          await new Promise<void>((resolve) => {
            answered = resolve;
          });
        }
      }
      for await (const response of client.chat(requests())) {
        heard.push(response.message);
        expect(outgoing.length).toBe(heard.length);
        answered?.();
      }
      expect(heard).toEqual(['ONE', 'TWO', 'THREE']);
    });

    it('passes an empty client stream and an empty server stream through', async () => {
      running = await start();
      const client = running.client(EchoService);
      expect(await client.collect([])).toMatchObject({ count: 0, joined: '', sequenceTotal: 0n });
      expect(await collect(client.expand({ count: 0 }))).toEqual([]);
      expect(await collect(client.chat([]))).toEqual([]);
    });

    it('ends each mode with the status the handler threw', async () => {
      running = await start();
      const client = running.client(EchoService);
      const fail = { message: 'x', failWithCode: Status.FAILED_PRECONDITION };
      const expected = { code: Status.FAILED_PRECONDITION, rawMessage: 'failed as asked: x' };
      await expect(client.echo(fail)).rejects.toMatchObject(expected);
      await expect(client.collect([{ message: 'ok' }, fail])).rejects.toMatchObject(expected);
      await expect(collect(client.chat([{ message: 'ok' }, fail]))).rejects.toMatchObject(expected);
      // A server stream that fails after its first message: the message arrives, then the status.
      const received: string[] = [];
      const failure = await (async () => {
        for await (const response of client.expand({ message: 'x', count: 1, failWithCode: Status.FAILED_PRECONDITION }))
          received.push(response.message);
      })().catch((error: unknown) => error);
      expect(received).toEqual(['x-0']);
      expect(failure).toMatchObject(expected);
    });
  });
});
