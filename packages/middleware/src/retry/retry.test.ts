import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type App,
  type BidiStreaming,
  type ClientStreaming,
  closeClient,
  createApp,
  createChannel,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  RpcError,
  retryInfo,
  type ServerStreaming,
  type ServiceDefinition,
  Status,
  type Unary,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest } from '../../../core/src/test-support/echo.generated.js';
import { type RetryOptions, retry } from './retry.js';

// The core's test services, loaded through `@wirekit/core` like the middleware itself. OtherService.Ping is
// marked `idempotency_level = IDEMPOTENT`; every rpc of EchoService is not.
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', {
  includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
});
const EchoService = defineService<{
  Echo: Unary<EchoRequest, EchoResponse>;
  Expand: ServerStreaming<ExpandRequest, EchoResponse>;
  Collect: ClientStreaming<EchoRequest, CollectResponse>;
  Chat: BidiStreaming<EchoRequest, EchoResponse>;
}>(protos, 'wirekit.test.v1.EchoService');
const OtherService = defineService<{ Ping: Unary<EchoRequest, EchoResponse> }>(protos, 'wirekit.test.v1.OtherService');
const path = (name: string): string => `/wirekit.test.v1.EchoService/${name}`;

async function serve(configure: (app: App) => void, address = '127.0.0.1:0'): Promise<{ app: App; address: string }> {
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger() });
  configure(app);
  const listening = await app.listen(address);
  onTestFinished(() => app.close({ graceMs: 0 }));
  return { app, address: listening.address };
}

/** A client whose channel retries; the sleep records each delay instead of waiting. */
function retryingClient<D extends ServiceDefinition>(definition: D, address: string, options: RetryOptions = {}) {
  const delays: number[] = [];
  const channel = createChannel(address);
  const client = createClient(definition, retry({ random: () => 0.5, sleep: async (ms) => void delays.push(ms), ...options })(channel));
  onTestFinished(() => closeClient(client));
  onTestFinished(() => channel.close());
  return { client, delays, channel };
}

/** Answers with what the next entry of `script` says: an error to throw, or success. */
function scripted(script: (RpcError | 'ok')[]): () => void {
  return () => {
    const next = script.shift() ?? 'ok';
    if (next !== 'ok') throw next;
  };
}

const unavailable = (options: ConstructorParameters<typeof RpcError>[2] = {}) => new RpcError(Status.UNAVAILABLE, 'try elsewhere', options);
const pushingBack = (value: string) => unavailable({ metadata: { 'grpc-retry-pushback-ms': value } });

async function codeOf(work: Promise<unknown>): Promise<string> {
  return work.then(
    () => 'OK',
    (error: unknown) => Status[RpcError.from(error).code],
  );
}

async function collectAll<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

/** Serves OtherService.Ping (idempotent) from a script, recording each attempt's retry header. */
async function servePing(script: (RpcError | 'ok')[]) {
  const attempts: (string | undefined)[] = [];
  const step = scripted(script);
  const { address } = await serve((app) =>
    app.addService(OtherService, {
      ping: (request, ctx) => {
        attempts.push(ctx.metadata.get('grpc-previous-rpc-attempts'));
        step();
        return { message: request.message };
      },
    }),
  );
  return { address, attempts };
}

describe('retry', () => {
  describe('unary', () => {
    it('retries UNAVAILABLE on an idempotent rpc until it succeeds, backing off with full jitter', async () => {
      const { address, attempts } = await servePing([unavailable(), unavailable(), 'ok']);
      const { client, delays } = retryingClient(OtherService, address, { maxAttempts: 4 });
      expect((await client.ping({ message: 'hi' })).message).toBe('hi');
      // random() = 0.5 of a cap of 100 ms, then of 200 ms.
      expect(delays).toEqual([50, 100]);
      // gRFC A6's header tells the server how many attempts came before.
      expect(attempts).toEqual([undefined, '1', '2']);
    });

    it('gives up after maxAttempts with the last error', async () => {
      const { address, attempts } = await servePing(Array.from({ length: 5 }, () => unavailable()));
      const { client, delays } = retryingClient(OtherService, address, { maxAttempts: 3 });
      expect(await codeOf(client.ping({}))).toBe('UNAVAILABLE');
      expect(attempts).toHaveLength(3);
      expect(delays).toHaveLength(2);
    });

    it('caps the backoff at maxBackoffMs', async () => {
      const { address } = await servePing([unavailable(), unavailable(), unavailable(), 'ok']);
      const { client, delays } = retryingClient(OtherService, address, {
        maxAttempts: 4,
        initialBackoffMs: 100,
        multiplier: 10,
        maxBackoffMs: 300,
      });
      await client.ping({});
      expect(delays).toEqual([50, 150, 150]);
    });

    it('retries only calls that may run twice: idempotent by the proto, by configuration, or by a key', async () => {
      let calls = 0;
      const { address } = await serve((app) =>
        app.addService(
          EchoService,
          {
            echo: (request) => {
              calls++;
              if (calls % 2 === 1) throw unavailable();
              return { message: request.message };
            },
          },
          { allowUnimplemented: true },
        ),
      );
      const plain = retryingClient(EchoService, address);
      expect(await codeOf(plain.client.echo({}))).toBe('UNAVAILABLE');
      expect(calls).toBe(1);

      calls = 0;
      expect((await plain.client.echo({ message: 'keyed' }, { metadata: { 'idempotency-key': 'k-1' } })).message).toBe('keyed');
      expect(calls).toBe(2);

      calls = 0;
      const configured = retryingClient(EchoService, address, { idempotentMethods: [path('Echo')] });
      expect((await configured.client.echo({ message: 'listed' })).message).toBe('listed');
      expect(calls).toBe(2);
    });

    it('does not retry statuses that are not retryable', async () => {
      const { address, attempts } = await servePing([new RpcError(Status.INVALID_ARGUMENT, 'bad'), new RpcError(Status.INTERNAL, 'oops')]);
      const { client } = retryingClient(OtherService, address);
      expect(await codeOf(client.ping({}))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(client.ping({}))).toBe('INTERNAL');
      expect(attempts).toHaveLength(2);
    });

    it('waits as long as the RetryInfo detail says, and retries RESOURCE_EXHAUSTED only when it has one', async () => {
      const { address, attempts } = await servePing([
        new RpcError(Status.RESOURCE_EXHAUSTED, 'slow down', { details: [retryInfo(1_500)] }),
        'ok',
        unavailable({ details: [retryInfo(700)] }),
        'ok',
        new RpcError(Status.RESOURCE_EXHAUSTED, 'no more, ever'),
      ]);
      const { client, delays } = retryingClient(OtherService, address);
      await client.ping({});
      await client.ping({});
      expect(await codeOf(client.ping({}))).toBe('RESOURCE_EXHAUSTED');
      expect(delays).toEqual([1_500, 700]);
      expect(attempts).toHaveLength(5);
    });

    it('honours the grpc-retry-pushback-ms trailer, then backs off from the start again', async () => {
      const { address } = await servePing([pushingBack('250'), unavailable(), 'ok']);
      const { client, delays } = retryingClient(OtherService, address, { maxAttempts: 4 });
      await client.ping({});
      expect(delays).toEqual([250, 50]);
    });

    it.each(['-1', 'soon', '1.5', '007'])('does not retry when the pushback is %j (negative or malformed)', async (value) => {
      const { address, attempts } = await servePing([pushingBack(value), 'ok']);
      const { client, delays } = retryingClient(OtherService, address);
      expect(await codeOf(client.ping({}))).toBe('UNAVAILABLE');
      expect(attempts).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('never waits past the deadline of the call', async () => {
      const { address, attempts } = await servePing([pushingBack('5000'), pushingBack('500'), 'ok']);
      const { client, delays } = retryingClient(OtherService, address);
      expect(await codeOf(client.ping({}, { timeoutMs: 1_000 }))).toBe('UNAVAILABLE');
      expect(attempts).toHaveLength(1);
      expect(await codeOf(client.ping({}, { timeoutMs: 10_000 }))).toBe('OK');
      expect(delays).toEqual([500]);
    });

    it('hands the caller the trailers of the last attempt only, once', async () => {
      const { address } = await servePing([unavailable({ metadata: { 'x-attempt': 'first' } }), 'ok']);
      const { client } = retryingClient(OtherService, address);
      const trailers: (string | undefined)[] = [];
      await client.ping({}, { onTrailer: (trailer) => trailers.push(trailer.get('x-attempt') ?? 'none') });
      expect(trailers).toEqual(['none']);
    });

    it('does not retry once the server sent response headers: the call has committed (gRFC A6)', async () => {
      let calls = 0;
      const { address } = await serve((app) =>
        app.addService(OtherService, {
          ping: (_request, ctx) => {
            calls++;
            ctx.sendHeader({ 'x-served-by': 'one' });
            throw unavailable();
          },
        }),
      );
      const { client } = retryingClient(OtherService, address);
      const headers: (string | undefined)[] = [];
      expect(await codeOf(client.ping({}, { onHeader: (header) => headers.push(header.get('x-served-by')) }))).toBe('UNAVAILABLE');
      expect([calls, headers]).toEqual([1, ['one']]);
    });

    it('retries a unary call cut after its message arrived but before its status, unless the caller took its headers', async () => {
      // A bare HTTP/2 server standing in for one killed between its two writes: the first attempt gets response
      // headers and the message, then the connection drops before the trailers; later attempts are answered.
      const answer = OtherService.methods.Ping.responseCodec.encode({ message: 'pong', sequence: 0n, payload: new Uint8Array() });
      const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), answer]);
      frame.writeUInt32BE(answer.byteLength, 1);
      let attempts = 0;
      const server = http2.createServer();
      server.on('stream', (stream) => {
        attempts++;
        stream.on('data', () => {});
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        if (attempts % 2 === 1) {
          stream.write(frame, () => stream.session?.destroy());
          return;
        }
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      onTestFinished(() => void server.close());
      const { client } = retryingClient(OtherService, `127.0.0.1:${(server.address() as AddressInfo).port}`);

      expect(await client.ping({})).toMatchObject({ message: 'pong' });
      expect(attempts).toBe(2);
      // Taking the headers commits the call at the first attempt, as gRFC A6 says.
      const headers: string[] = [];
      expect(await codeOf(client.ping({}, { onHeader: (header) => headers.push(header.get('content-type') ?? 'none') }))).toBe(
        'UNAVAILABLE',
      );
      expect([attempts, headers]).toEqual([3, ['application/grpc']]);
    });

    it('stops when the caller cancels during the backoff', async () => {
      const { address, attempts } = await servePing([unavailable(), 'ok']);
      const controller = new AbortController();
      const { client } = retryingClient(OtherService, address, {
        sleep: async () => controller.abort(new Error('the user went away')),
      });
      expect(await codeOf(client.ping({}, { signal: controller.signal }))).toBe('CANCELLED');
      expect(attempts).toHaveLength(1);
    });

    it('keeps succeeding across a server restarted on the same port', async () => {
      const served: string[] = [];
      const start = (name: string, at: string) =>
        serve(
          (app) =>
            app.addService(OtherService, {
              ping: () => {
                served.push(name);
                return { message: name };
              },
            }),
          at,
        );
      const first = await start('first', '127.0.0.1:0');
      const port = first.address.split(':')[1];
      let restarted: Promise<unknown> | undefined;
      const delays: number[] = [];
      // Reconnect soon after a refused connection, so the channel notices the new server without a long wait.
      const channel = createChannel(first.address, {
        grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 50, 'grpc.max_reconnect_backoff_ms': 50 },
      });
      onTestFinished(() => channel.close());
      const client = createClient(
        OtherService,
        retry({
          maxAttempts: 5,
          // Instead of waiting out a backoff, bring the server back and wait until the channel reaches it.
          sleep: async (ms) => {
            delays.push(ms);
            restarted ??= start('second', `127.0.0.1:${port}`);
            await restarted;
            await channel.waitForReady(Date.now() + 10_000);
          },
        })(channel),
      );

      expect((await client.ping({})).message).toBe('first');
      await first.app.close({ graceMs: 0 });
      expect((await client.ping({})).message).toBe('second');
      expect((await client.ping({})).message).toBe('second');
      expect(served).toEqual(['first', 'second', 'second']);
      expect(delays.length).toBeGreaterThan(0);
    });
  });

  describe('server streaming', () => {
    it('retries before the first response, never after', async () => {
      const script: string[] = ['fail-before', 'ok', 'fail-after'];
      let calls = 0;
      const { address } = await serve((app) =>
        app.addService(
          EchoService,
          {
            async *expand(request) {
              calls++;
              const step = script.shift();
              if (step === 'fail-before') throw unavailable();
              yield { message: `${request.message}-0` };
              if (step === 'fail-after') throw unavailable();
              yield { message: `${request.message}-1` };
            },
          },
          { allowUnimplemented: true },
        ),
      );
      const { client } = retryingClient(EchoService, address, { idempotentMethods: [path('Expand')] });
      expect((await collectAll(client.expand({ message: 'a' }))).map((reply) => reply.message)).toEqual(['a-0', 'a-1']);
      expect(calls).toBe(2);

      const received: string[] = [];
      const outcome = await codeOf(
        (async () => {
          for await (const reply of client.expand({ message: 'b' })) received.push(reply.message);
        })(),
      );
      expect([outcome, received]).toEqual(['UNAVAILABLE', ['b-0']]);
      expect(calls).toBe(3);
    });
  });

  describe('client streaming', () => {
    /** Collect that fails its first attempt after reading every message, and records what each attempt read. */
    async function serveCollect() {
      const attempts: string[][] = [];
      const { address } = await serve((app) =>
        app.addService(
          EchoService,
          {
            collect: async (requests) => {
              const read: string[] = [];
              attempts.push(read);
              for await (const request of requests) read.push(request.message);
              if (attempts.length === 1) throw unavailable();
              return { count: read.length, joined: read.join(',') };
            },
          },
          { allowUnimplemented: true },
        ),
      );
      return { address, attempts };
    }

    async function* messages(count: number, reads: { count: number }) {
      for (let index = 0; index < count; index++) {
        reads.count++;
        yield { message: `m${index}`, payload: new Uint8Array(8) };
      }
    }

    it('replays the request stream to the next attempt, reading the caller’s stream once', async () => {
      const { address, attempts } = await serveCollect();
      const { client } = retryingClient(EchoService, address, { idempotentMethods: [path('Collect')] });
      const reads = { count: 0 };
      expect((await client.collect(messages(3, reads))).joined).toBe('m0,m1,m2');
      expect(attempts).toEqual([
        ['m0', 'm1', 'm2'],
        ['m0', 'm1', 'm2'],
      ]);
      expect(reads.count).toBe(3);
    });

    it('does not retry a stream that outgrew the buffer', async () => {
      const { address, attempts } = await serveCollect();
      // Each message is about 14 bytes encoded: the second one crosses a budget of 20.
      const { client } = retryingClient(EchoService, address, { idempotentMethods: [path('Collect')], bufferLimitBytes: 20 });
      expect(await codeOf(client.collect(messages(3, { count: 0 })))).toBe('UNAVAILABLE');
      expect(attempts).toHaveLength(1);
    });
  });

  describe('bidi streaming', () => {
    it('replays the requests before the first response, and never retries after it', async () => {
      const script = ['fail-before', 'ok', 'fail-after'];
      const attempts: string[][] = [];
      const { address } = await serve((app) =>
        app.addService(
          EchoService,
          {
            async *chat(requests) {
              const step = script.shift();
              const read: string[] = [];
              attempts.push(read);
              for await (const request of requests) {
                read.push(request.message);
                if (step === 'fail-before') throw unavailable();
                yield { message: request.message.toUpperCase() };
                if (step === 'fail-after') throw unavailable();
              }
            },
          },
          { allowUnimplemented: true },
        ),
      );
      const { client } = retryingClient(EchoService, address, { idempotentMethods: [path('Chat')] });
      const replies = await collectAll(client.chat([{ message: 'a' }, { message: 'b' }]));
      expect(replies.map((reply) => reply.message)).toEqual(['A', 'B']);
      expect(attempts).toEqual([['a'], ['a', 'b']]);

      const received: string[] = [];
      const outcome = await codeOf(
        (async () => {
          for await (const reply of client.chat([{ message: 'c' }, { message: 'd' }])) received.push(reply.message);
        })(),
      );
      expect([outcome, received]).toEqual(['UNAVAILABLE', ['C']]);
      expect(attempts).toHaveLength(3);
    });
  });
});
