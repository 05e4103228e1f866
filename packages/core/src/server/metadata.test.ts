import { afterEach, describe, expect, it } from 'vitest';
import { Metadata } from '../metadata.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { aborted, collect, deferred, type RunningApp, startApp } from '../test-support/harness.js';

// The user-agent grpc-js sends (`grpc-node-js/<version>`), between the agents a client's channel options add.
const USER_AGENT = /^checkout\/2\.1 grpc-node-js\/\d+\.\d+\.\d+\S* edge-proxy\/7$/;
const USER_AGENT_OPTIONS = { grpcOptions: { 'grpc.primary_user_agent': 'checkout/2.1', 'grpc.secondary_user_agent': 'edge-proxy/7' } };
// An HTTP date, as Node's HTTP/2 server writes it into every response's first HEADERS frame.
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe('metadata, response headers and trailers', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function start() {
    running = await startApp({}, (app) =>
      app.addService(EchoService, {
        echo: (request, ctx) => {
          const token = ctx.metadata.get('x-token');
          const binary = ctx.metadata.get('x-trace-bin');
          ctx.sendHeader({ 'x-early': 'header' });
          ctx.trailer.set('x-seen-token', token ?? 'none');
          ctx.trailer.set('x-echo-bin', binary ?? new Uint8Array());
          if (request.failWithCode) {
            throw new RpcError(request.failWithCode, 'failed with trailers', { metadata: { 'x-error-trailer': 'yes' } });
          }
          return { message: ctx.metadata.getAll('x-multi').join('|') };
        },
        async *expand(request, ctx) {
          ctx.header.set('x-stream-header', 'set before the first message');
          ctx.trailer.set('x-count', String(request.count));
          for (let index = 0; index < request.count; index++) yield { message: String(index) };
        },
        collect: async (requests, ctx) => {
          let count = 0;
          for await (const _request of requests) count++;
          ctx.trailer.set('x-collected', String(count));
          return { count };
        },
        async *chat(requests, ctx) {
          ctx.sendHeader({ 'x-chat': ctx.metadata.get('x-room') ?? '' });
          for await (const request of requests) yield { message: request.message };
          ctx.trailer.set('x-chat-end', 'bye');
        },
      }),
    );
    return running.client(EchoService);
  }

  it('carries text and binary request metadata to the handler, and headers and trailers back', async () => {
    const client = await start();
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    const metadata = new Metadata({ 'x-token': 'secret-1', 'x-trace-bin': new Uint8Array([1, 2, 250]) });
    metadata.append('x-multi', 'a').append('x-multi', 'b');
    const response = await client.echo(
      { message: 'x' },
      { metadata, onHeader: (received) => (header = received), onTrailer: (received) => (trailer = received) },
    );
    // HTTP/2 joins repeated text headers with ", " (RFC 9110 §5.3), which gRPC allows for text metadata.
    expect(response.message).toBe('a, b');
    expect(header?.get('x-early')).toBe('header');
    expect(trailer?.get('x-seen-token')).toBe('secret-1');
    expect([...(trailer?.get('x-echo-bin') ?? [])]).toEqual([1, 2, 250]);
  });

  it('sends the trailers the handler set, and those of the error, when the call fails', async () => {
    const client = await start();
    let trailer: Metadata | undefined;
    const failure = await client
      .echo({ failWithCode: Status.ABORTED }, { metadata: { 'x-token': 't' }, onTrailer: (received) => (trailer = received) })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RpcError);
    const error = failure as RpcError;
    expect(error.code).toBe(Status.ABORTED);
    expect(error.metadata.get('x-error-trailer')).toBe('yes');
    expect(error.metadata.get('x-seen-token')).toBe('t');
    expect(trailer?.get('x-error-trailer')).toBe('yes');
  });

  it('sends headers and trailers on every streaming mode', async () => {
    const client = await start();
    const seen: Record<string, string | undefined> = {};
    await collect(
      client.expand(
        { count: 2 },
        {
          onHeader: (header) => (seen.header = header.get('x-stream-header')),
          onTrailer: (trailer) => (seen.trailer = trailer.get('x-count')),
        },
      ),
    );
    expect(seen).toEqual({ header: 'set before the first message', trailer: '2' });

    let collected: string | undefined;
    await client.collect([{}, {}, {}], { onTrailer: (trailer) => (collected = trailer.get('x-collected')) });
    expect(collected).toBe('3');

    const chat: Record<string, string | undefined> = {};
    await collect(
      client.chat([{ message: 'hi' }], {
        metadata: { 'x-room': 'lobby' },
        onHeader: (header) => (chat.header = header.get('x-chat')),
        onTrailer: (trailer) => (chat.trailer = trailer.get('x-chat-end')),
      }),
    );
    expect(chat).toEqual({ header: 'lobby', trailer: 'bye' });
  });
});

describe('metadata keys, the same over every transport', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("hands the handler exactly the caller's metadata plus the channel's user-agent, in every mode", async () => {
    const seen: Record<string, Metadata> = {};
    running = await startApp({}, (app) =>
      app.addService(EchoService, {
        echo: (_request, ctx) => {
          seen.unary = ctx.metadata;
          return {};
        },
        async *expand(_request, ctx) {
          seen.serverStreaming = ctx.metadata;
          yield {};
        },
        collect: async (requests, ctx) => {
          for await (const _request of requests);
          seen.clientStreaming = ctx.metadata;
          return {};
        },
        async *chat(requests, ctx) {
          for await (const _request of requests);
          seen.bidi = ctx.metadata;
          yield {};
        },
      }),
    );
    const client = running.client(EchoService, USER_AGENT_OPTIONS);
    // A deadline too: its grpc-timeout header is the transport's, not metadata the handler sees.
    const options = {
      metadata: { 'x-token': 't', 'x-trace-bin': new Uint8Array([1]), 'user-agent': 'overwritten by grpc-js' },
      timeoutMs: 10_000,
    };
    await client.echo({}, options);
    await collect(client.expand({}, options));
    await client.collect([{}], options);
    await collect(client.chat([{}], options));

    expect(Object.keys(seen)).toEqual(['unary', 'serverStreaming', 'clientStreaming', 'bidi']);
    for (const metadata of Object.values(seen)) {
      expect(metadata.keys()).toEqual(['x-token', 'x-trace-bin', 'user-agent']);
      expect(metadata.getAll('user-agent')).toEqual([expect.stringMatching(USER_AGENT)]);
    }
  });

  it('gives the client the same response header and trailer keys, with and without a header frame before the status', async () => {
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: (request, ctx) => {
            if (request.message === 'header first') ctx.sendHeader({ 'x-early': 'yes' });
            ctx.trailer.set('x-trailer', 'yes');
            if (request.failWithCode) throw new RpcError(request.failWithCode, 'failed as asked');
            return {};
          },
          async *expand(request) {
            for (let index = 0; index < request.count; index++) yield {};
            throw new RpcError(Status.NOT_FOUND, 'gone');
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    const heard = () => {
      const keys: { header?: string[]; trailer?: string[]; date?: string } = {};
      const options = {
        onHeader: (header: Metadata) => {
          keys.header = header.keys();
          keys.date = header.get('date') as string | undefined;
        },
        onTrailer: (trailer: Metadata) => {
          keys.trailer = trailer.keys();
          keys.date ??= trailer.get('date') as string | undefined;
        },
      };
      return { keys, options };
    };

    const ok = heard();
    await client.echo({ message: 'header first' }, ok.options);
    expect(ok.keys).toEqual({
      header: ['content-type', 'x-early', 'date'],
      trailer: ['x-trailer'],
      date: expect.stringMatching(HTTP_DATE),
    });

    // A status with no header sent before it travels alone (trailers-only): no header event, and the trailers
    // carry what the header frame would have.
    const failed = heard();
    const error = (await client.echo({ failWithCode: Status.ABORTED }, failed.options).catch((thrown: unknown) => thrown)) as RpcError;
    expect(failed.keys).toEqual({ trailer: ['content-type', 'x-trailer', 'date'], date: expect.stringMatching(HTTP_DATE) });
    expect(error.metadata.keys()).toEqual(['content-type', 'x-trailer', 'date']);

    const streamed = heard();
    await expect(collect(client.expand({ count: 1 }, streamed.options))).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(streamed.keys).toEqual({ header: ['content-type', 'date'], trailer: [], date: expect.stringMatching(HTTP_DATE) });

    const empty = heard();
    await expect(collect(client.expand({ count: 0 }, empty.options))).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(empty.keys).toEqual({ trailer: ['content-type', 'date'], date: expect.stringMatching(HTTP_DATE) });
  });

  it('delivers a header sent early while the handler is still running', async () => {
    const events: string[] = [];
    let headerHeard = deferred();
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: async (_request, ctx) => {
            events.push('handler sends the header');
            ctx.sendHeader({ 'x-early': 'now' });
            // Held until the client has the header: a header held back until the response would never come,
            // and the call's deadline below ends the wait instead.
            await Promise.race([headerHeard.promise, aborted(ctx.signal)]);
            events.push('handler returned');
            return { message: ctx.signal.aborted ? 'the header never arrived' : 'done' };
          },
          async *chat(requests, ctx) {
            events.push('handler sends the header');
            ctx.sendHeader({ 'x-early': 'now' });
            for await (const request of requests) yield request;
            events.push('handler returned');
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const client = running.client(EchoService);
    const onHeader = (header: Metadata): void => {
      events.push(`client heard x-early=${String(header.get('x-early'))}`);
      headerHeard.resolve();
    };
    const outcome = await client.echo({}, { onHeader, timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(outcome, 'the header did not reach the client before the handler returned').toMatchObject({ message: 'done' });
    expect(events).toEqual(['handler sends the header', 'client heard x-early=now', 'handler returned']);

    events.length = 0;
    headerHeard = deferred();
    // The request stream stays open until the header arrived, so the handler cannot have finished by then.
    async function* requests() {
      await headerHeard.promise;
      yield { message: 'after the header' };
    }
    const responses = await collect(client.chat(requests(), { onHeader, timeoutMs: 5_000 })).catch((error: unknown) => error);
    expect(responses, 'the header did not reach the client while the bidi handler waited').toMatchObject([{ message: 'after the header' }]);
    expect(events).toEqual(['handler sends the header', 'client heard x-early=now', 'handler returned']);
  });
});

describe('Metadata', () => {
  it('normalises keys and keeps every value in order', () => {
    const metadata = new Metadata([
      ['X-Key', 'one'],
      ['x-key', 'two'],
    ]);
    expect(metadata.getAll('x-key')).toEqual(['one', 'two']);
    expect(metadata.get('X-KEY')).toBe('one');
    metadata.set('x-key', 'three');
    expect(metadata.getAll('x-key')).toEqual(['three']);
  });

  it('refuses values of the wrong kind and keys the protocol forbids, naming the key', () => {
    expect(() => new Metadata({ 'x-data-bin': 'text' })).toThrow(/x-data-bin.*Uint8Array/);
    expect(() => new Metadata({ 'x-text': new Uint8Array([1]) as unknown as string })).toThrow(/x-text.*string/);
    expect(() => new Metadata({ 'bad key': 'v' })).toThrow(/bad key/);
    expect(() => new Metadata({ 'x-line': 'a\nb' })).toThrow(/printable ASCII/);
  });
});
