import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest } from '../client/message-bytes.js';
import type { ErrorDetail } from '../error-details.js';
import type { MessageInit } from '../message-init.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { type EchoRequest, type EchoResponse, EchoService } from '../test-support/echo.generated.js';
import { aborted, collect, createRecordingLogger, deferred, type RunningApp, startApp } from '../test-support/harness.js';

/** The encoded size of a request or response of the test service, as the size limits count it. */
const requestBytes = (request: MessageInit<EchoRequest>): number => encodeRequest(EchoService.methods.Echo, request).byteLength;
const responseBytes = (response: MessageInit<EchoResponse>): number =>
  EchoService.methods.Echo.responseCodec.encode(response as EchoResponse).byteLength;

const EVERY_DETAIL: ErrorDetail[] = [
  { type: 'google.rpc.BadRequest', fieldViolations: [{ field: 'amount_cents', description: 'must be at least 50', reason: 'TOO_SMALL' }] },
  { type: 'google.rpc.ErrorInfo', reason: 'CARD_DECLINED', domain: 'payments.example', metadata: { issuer: 'visa' } },
  { type: 'google.rpc.RetryInfo', retryDelay: { seconds: 3, nanos: 500_000_000 } },
  { type: 'google.rpc.QuotaFailure', violations: [{ subject: 'customer:c1', description: '100 charges per second' }] },
  { type: 'google.rpc.PreconditionFailure', violations: [{ type: 'TOS', subject: 'customer:c1', description: 'terms not accepted' }] },
  { type: 'google.rpc.ResourceInfo', resourceType: 'payment', resourceName: 'p_123', owner: 'customer:c1', description: 'no such payment' },
  { type: 'google.rpc.DebugInfo', stackEntries: ['at charge (ledger.ts:10)'], detail: 'ledger locked' },
  { type: 'google.rpc.Help', links: [{ description: 'Currency codes', url: 'https://www.iso.org/iso-4217-currency-codes.html' }] },
  { type: 'google.rpc.LocalizedMessage', locale: 'fr-FR', message: 'Montant trop faible' },
];

describe('errors and status codes over the wire', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it.each(Object.values(Status).filter((code): code is Status => typeof code === 'number' && code !== Status.OK))(
    'round-trips status %i with its message',
    async (code) => {
      running = await startApp({}, (app) =>
        app.addService(
          EchoService,
          {
            echo: () => {
              throw new RpcError(code, `status ${code}: ünïcödé and % signs`);
            },
          },
          { allowUnimplemented: true },
        ),
      );
      const error = (await running
        .client(EchoService)
        .echo({})
        .catch((thrown: unknown) => thrown)) as RpcError;
      expect(error).toBeInstanceOf(RpcError);
      expect(error.code).toBe(code);
      expect(error.rawMessage).toBe(`status ${code}: ünïcödé and % signs`);
    },
  );

  it('round-trips every rich detail type through grpc-status-details-bin, on unary and streaming calls', async () => {
    const failure = () => new RpcError(Status.INVALID_ARGUMENT, 'the charge is invalid', { details: EVERY_DETAIL });
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: () => {
            throw failure();
          },
          async *chat() {
            yield { message: 'before the failure' };
            throw failure();
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    for (const error of [
      (await client.echo({}).catch((thrown: unknown) => thrown)) as RpcError,
      (await collect(client.chat([{}])).catch((thrown: unknown) => thrown)) as RpcError,
    ]) {
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.details.map((detail) => detail.type)).toEqual(EVERY_DETAIL.map((detail) => detail.type));
      expect(error.details).toMatchObject(EVERY_DETAIL);
      expect(error.findDetails('google.rpc.BadRequest')[0]?.fieldViolations[0]?.field).toBe('amount_cents');
      // The details trailer is decoded into `details`, not left among the metadata.
      expect(error.metadata.has('grpc-status-details-bin')).toBe(false);
    }
  });

  it('turns anything else a handler throws into a generic INTERNAL, logs the cause, and keeps serving', async () => {
    const logger = createRecordingLogger();
    running = await startApp({ logger }, (app) =>
      app.addService(EchoService, {
        echo: (request) => {
          if (request.message === 'sync') throw new Error('password=hunter2 leaked into a message');
          if (request.message === 'string') throw 'a bare string';
          if (request.message === 'after') return { message: 'still serving' };
          return Promise.reject(new TypeError('cannot read properties of undefined'));
        },
        async *expand() {
          yield { message: 'first' };
          throw new Error('mid-stream failure with a secret');
        },
        collect: async () => {
          throw new RangeError('client-stream failure');
        },
        async *chat() {
          yield* [];
          throw new Error('bidi failure');
        },
      }),
    );
    const client = running.client(EchoService);
    const failures = [
      await client.echo({ message: 'sync' }).catch((thrown: unknown) => thrown),
      await client.echo({ message: 'string' }).catch((thrown: unknown) => thrown),
      await client.echo({ message: 'async' }).catch((thrown: unknown) => thrown),
      await collect(client.expand({})).catch((thrown: unknown) => thrown),
      await client.collect([{}]).catch((thrown: unknown) => thrown),
      await collect(client.chat([{}])).catch((thrown: unknown) => thrown),
    ] as RpcError[];
    for (const failure of failures) {
      expect(failure.code).toBe(Status.INTERNAL);
      expect(failure.rawMessage).toBe('Internal server error');
      expect(failure.rawMessage).not.toMatch(/hunter2|secret|undefined/);
    }
    const logged = logger.entries.filter((entry) => entry.level === 'error');
    expect(logged).toHaveLength(6);
    expect(String((logged[0]?.fields.err as Error | undefined)?.message)).toContain('hunter2');
    expect(logged[0]?.fields.method).toBe('/wirekit.test.v1.EchoService/Echo');
    // The process and the server are still fine: the next call on the same client is answered.
    await expect(client.echo({ message: 'after' })).resolves.toMatchObject({ message: 'still serving' });
  });

  it('answers UNIMPLEMENTED for an rpc allowed to stay unimplemented', async () => {
    running = await startApp({}, (app) => app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }));
    await expect(running.client(EchoService).collect([])).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
  });

  it('fails with RESOURCE_EXHAUSTED when a request exceeds the server limit, and keeps serving', async () => {
    running = await startApp({ maxReceiveMessageBytes: 1024 }, (app) =>
      app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }),
    );
    const client = running.client(EchoService);
    const request = { payload: new Uint8Array(4096) };
    await expect(client.echo(request)).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: `Received message larger than max (${requestBytes(request)} vs 1024)`,
    });
    expect((await client.echo({ payload: new Uint8Array(100) })).payload).toHaveLength(100);
  });

  it('fails with RESOURCE_EXHAUSTED when a response exceeds the client limit', async () => {
    const response = { payload: new Uint8Array(64 * 1024) };
    running = await startApp({}, (app) => app.addService(EchoService, { echo: () => response }, { allowUnimplemented: true }));
    await expect(running.client(EchoService, { maxReceiveMessageBytes: 1024 }).echo({})).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: `Received message larger than max (${responseBytes(response)} vs 1024)`,
    });
  });

  it('fails with RESOURCE_EXHAUSTED when a response exceeds the server send limit, and keeps serving', async () => {
    running = await startApp({ maxSendMessageBytes: 1024 }, (app) =>
      app.addService(EchoService, { echo: (request) => ({ payload: request.payload }) }, { allowUnimplemented: true }),
    );
    const client = running.client(EchoService);
    const large = { payload: new Uint8Array(4096) };
    // grpc-js counts the 5-byte message prefix in this one message, and so does the in-memory transport.
    await expect(client.echo(large)).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: `Sent message larger than max (${responseBytes(large) + 5} vs. 1024)`,
    });
    expect((await client.echo({ payload: new Uint8Array(100) })).payload).toHaveLength(100);
  });

  it('fails with RESOURCE_EXHAUSTED when a request exceeds the client send limit, before the handler sees it', async () => {
    let calls = 0;
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: (request) => {
            calls++;
            return request;
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService, { maxSendMessageBytes: 1024 });
    await expect(client.echo({ payload: new Uint8Array(4096) })).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: 'Attempted to send message with a size larger than 1024',
    });
    expect(calls).toBe(0);
    expect((await client.echo({ payload: new Uint8Array(100) })).payload).toHaveLength(100);
    expect(calls).toBe(1);
  });

  it('ends a client stream whose third request exceeds the client send limit, and the handler sees the call end', async () => {
    const read: string[] = [];
    const firstTwoRead = deferred();
    const handlerSaw = deferred<unknown>();
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          collect: async (requests, ctx) => {
            try {
              for await (const request of requests) {
                read.push(request.message);
                if (read.length === 2) firstTwoRead.resolve();
              }
            } finally {
              handlerSaw.resolve(ctx.signal.reason);
            }
            return { count: read.length };
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService, { maxSendMessageBytes: 1024 });
    async function* requests() {
      yield { message: 'first' };
      yield { message: 'second' };
      // The large one goes once the handler has read the others, so what it read is known exactly.
      await firstTwoRead.promise;
      yield { message: 'too large', payload: new Uint8Array(4096) };
    }
    await expect(client.collect(requests())).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: 'Attempted to send message with a size larger than 1024',
    });
    expect(await handlerSaw.promise).toMatchObject({ code: Status.CANCELLED });
    expect(read).toEqual(['first', 'second']);
  });

  describe.each([
    [
      'the client receive limit',
      { client: { maxReceiveMessageBytes: 1024 } },
      (size: number) => `Received message larger than max (${size} vs 1024)`,
    ],
    [
      'the server send limit',
      { server: { maxSendMessageBytes: 1024 } },
      (size: number) => `Sent message larger than max (${size + 5} vs. 1024)`,
    ],
  ] as const)('a server stream whose third message exceeds %s', (_name, limits, message) => {
    it('delivers the first two messages, then RESOURCE_EXHAUSTED; the handler sees its signal fire and the app closes', async () => {
      const large = { message: 'third', payload: new Uint8Array(4096) };
      const handlerSaw = deferred<unknown>();
      running = await startApp('server' in limits ? limits.server : {}, (app) =>
        app.addService(
          EchoService,
          {
            async *expand(_request, ctx) {
              yield { message: 'first' };
              yield { message: 'second' };
              yield large;
              // A handler with more to say, stopped only by the end of the call.
              handlerSaw.resolve(await aborted(ctx.signal));
            },
          },
          { allowUnimplemented: true },
        ),
      );
      const client = running.client(EchoService, 'client' in limits ? limits.client : {});
      const received: string[] = [];
      const failure = await (async () => {
        for await (const response of client.expand({})) received.push(response.message);
      })().catch((error: unknown) => error);
      expect(received).toEqual(['first', 'second']);
      expect(failure).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, rawMessage: message(responseBytes(large)) });
      expect(await handlerSaw.promise).toMatchObject({ code: Status.CANCELLED });
      await running.close();
      running = undefined;
    });
  });

  it("applies grpc-js's default 4 MiB receive limit on both sides", async () => {
    const fourMiB = 4 * 1024 * 1024;
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        { echo: (request) => ({ payload: new Uint8Array(request.sequence > 0n ? Number(request.sequence) : 0) }) },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    const request = { payload: new Uint8Array(fourMiB) };
    await expect(client.echo(request)).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: `Received message larger than max (${requestBytes(request)} vs ${fourMiB})`,
    });
    const response = { payload: new Uint8Array(fourMiB) };
    await expect(client.echo({ sequence: BigInt(fourMiB) })).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      rawMessage: `Received message larger than max (${responseBytes(response)} vs ${fourMiB})`,
    });
    // Just under the limit passes both ways.
    const fits = fourMiB - 16;
    await expect(client.echo({ payload: new Uint8Array(fits - 8), sequence: BigInt(fits - 8) })).resolves.toMatchObject({
      payload: expect.any(Uint8Array),
    });
  });

  it('rejects a client request that does not fit the message with INVALID_ARGUMENT, naming the field, before sending', async () => {
    running = await startApp({}, (app) => app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }));
    const client = running.client(EchoService);
    const error = (await client.echo({ sequence: 'twelve' as unknown as bigint }).catch((thrown: unknown) => thrown)) as RpcError;
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rawMessage).toMatch(/sequence/);
  });
});
