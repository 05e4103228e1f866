import { afterEach, describe, expect, it } from 'vitest';
import { Metadata } from '../metadata.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { collect, type RunningApp, startApp } from '../test-support/harness.js';

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
