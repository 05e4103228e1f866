import { type CallContext, RpcError, type ServerMiddleware, Status } from '@wirekit/core';
import pino, { type LoggerOptions } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { identityKey } from '../shared/identity.js';
import { traceIdsKey } from '../shared/trace-ids.js';
import { aborted, collect, serveEcho } from '../test-support/echo-service.js';
import { type LoggingOptions, logging } from './logging.js';
import { requestLoggerKey } from './request-logger.js';

/** One JSON line pino wrote. */
type Line = Record<string, unknown> & { readonly level: number; readonly msg: string };

/** A pino destination in memory: the lines written so far, and a promise for the next one that matches. */
function lineSink() {
  const lines: Line[] = [];
  const waiting: { matches: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  return {
    lines,
    destination: {
      write(text: string) {
        const line = JSON.parse(text) as Line;
        lines.push(line);
        for (const waiter of waiting.filter((candidate) => candidate.matches(line))) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      },
    },
    /** The first line, written already or later, for which `matches` holds. */
    find(matches: (line: Line) => boolean): Promise<Line> {
      const found = lines.find(matches);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ matches, resolve }));
    },
  };
}

const callLine = (method: string) => (line: Line) => line.msg === 'call ended' && line.method === `/wirekit.test.v1.EchoService/${method}`;

const INFO = 30;
const WARN = 40;
const ERROR = 50;

describe('logging middleware', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** An app with `logging` (plus `around` outside it and `inside` inside it) over a small echo service. */
  async function start(
    options: Omit<LoggingOptions, 'logger'> = {},
    extra: { around?: ServerMiddleware[]; inside?: ServerMiddleware[]; pino?: LoggerOptions } = {},
  ) {
    const sink = lineSink();
    const logger = pino({ level: 'trace', ...extra.pino }, sink.destination);
    const served = await serveEcho({
      middleware: [...(extra.around ?? []), logging({ logger, ...options }), ...(extra.inside ?? [])],
      implementation: {
        echo: async (request, ctx: CallContext) => {
          ctx.get(requestLoggerKey)?.info({ user: { name: 'ada', password: 'hunter2' } }, 'handling');
          if (request.message === 'throw') throw new TypeError('boom');
          if (request.message === 'park') throw await aborted(ctx.signal);
          if (request.message === 'late') await aborted(ctx.signal);
          if (request.failWithCode) throw new RpcError(request.failWithCode, `failed as asked: ${request.message}`);
          return { message: request.message, sequence: request.sequence, payload: request.payload };
        },
        async *expand(request, ctx) {
          // "forever" streams until the client goes away; "throw" and "park" fail or wait after the first message.
          for (let index = 0; request.message === 'forever' || index < Math.max(request.count, 1); index++) {
            yield { message: `${request.message}-${index}`, sequence: BigInt(index) };
            if (request.message === 'throw') throw new TypeError('broke mid-stream');
            if (request.message === 'park') throw await aborted(ctx.signal);
          }
        },
        collect: async (requests) => {
          let count = 0;
          for await (const _request of requests) count++;
          return { count };
        },
        async *chat(requests) {
          for await (const request of requests) yield { message: request.message };
        },
      },
    });
    running = served;
    return { sink, client: served.client };
  }

  it('writes one line per call in every mode: method, mode, peer, status, duration, message counts', async () => {
    const { sink, client } = await start();
    await client.echo({ message: 'a' });
    await collect(client.expand({ message: 'b', count: 3 }));
    await client.collect([{}, {}, {}, {}]);
    await collect(client.chat([{ message: 'c' }, { message: 'd' }]));

    const echo = await sink.find(callLine('Echo'));
    expect(echo).toMatchObject({
      level: INFO,
      mode: 'unary',
      status: 'OK',
      code: 0,
      messagesReceived: 1,
      messagesSent: 1,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(echo.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(echo.durationMs).toBeGreaterThanOrEqual(0);
    expect(await sink.find(callLine('Expand'))).toMatchObject({
      mode: 'server_streaming',
      status: 'OK',
      messagesReceived: 1,
      messagesSent: 3,
    });
    expect(await sink.find(callLine('Collect'))).toMatchObject({
      mode: 'client_streaming',
      status: 'OK',
      messagesReceived: 4,
      messagesSent: 1,
    });
    expect(await sink.find(callLine('Chat'))).toMatchObject({ mode: 'bidi_streaming', status: 'OK', messagesReceived: 2, messagesSent: 2 });
    expect(sink.lines.filter((line) => line.msg === 'call ended')).toHaveLength(4);
  });

  it('logs client errors at warn and server errors at error, with the thrown value and its stack', async () => {
    const { sink, client } = await start();
    await expect(client.echo({ message: 'x', failWithCode: Status.NOT_FOUND })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    const notFound = await sink.find(callLine('Echo'));
    expect(notFound).toMatchObject({ level: WARN, status: 'NOT_FOUND', code: 5, statusMessage: 'failed as asked: x' });
    expect(notFound.err).toBeUndefined();

    sink.lines.length = 0;
    await expect(client.echo({ message: 'throw' })).rejects.toMatchObject({ code: Status.INTERNAL, rawMessage: 'Internal server error' });
    const internal = await sink.find(callLine('Echo'));
    expect(internal).toMatchObject({ level: ERROR, status: 'INTERNAL', code: 13, statusMessage: 'Internal server error' });
    expect(internal.err).toMatchObject({ type: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });

    sink.lines.length = 0;
    await expect(client.echo({ failWithCode: Status.DATA_LOSS })).rejects.toMatchObject({ code: Status.DATA_LOSS });
    expect(await sink.find(callLine('Echo'))).toMatchObject({ level: ERROR, status: 'DATA_LOSS', err: { type: 'RpcError' } });
  });

  it('takes the level of successful calls, or a level for every status', async () => {
    const quiet = await start({ level: 'debug' }, { pino: { level: 'info' } });
    await quiet.client.echo({ message: 'ok' });
    await expect(quiet.client.echo({ failWithCode: Status.ABORTED })).rejects.toThrow();
    const failed = await quiet.sink.find(callLine('Echo'));
    expect(failed).toMatchObject({ level: WARN, status: 'ABORTED' });
    expect(quiet.sink.lines.filter((line) => line.msg === 'call ended')).toEqual([failed]);
    await running?.close();

    const chosen = await start({ level: (code) => (code === Status.NOT_FOUND ? 'silent' : 'error') });
    await expect(chosen.client.echo({ failWithCode: Status.NOT_FOUND })).rejects.toThrow();
    await chosen.client.echo({ message: 'ok' });
    expect(await chosen.sink.find(callLine('Echo'))).toMatchObject({ level: ERROR, status: 'OK' });
    expect(chosen.sink.lines.filter((line) => line.msg === 'call ended')).toHaveLength(1);
  });

  it('logs the request headers with credentials and configured fields redacted', async () => {
    const { sink, client } = await start({ redact: ['metadata["x-session"]'] });
    await client.echo(
      { message: 'a' },
      {
        metadata: {
          authorization: 'Bearer secret-token',
          'x-api-key': 'k-123',
          'x-session': 's-456',
          'x-tenant': 'acme',
          'x-blob-bin': new Uint8Array([1, 2, 3]),
        },
      },
    );
    const line = await sink.find(callLine('Echo'));
    expect(line.metadata).toMatchObject({
      authorization: '[Redacted]',
      'x-api-key': '[Redacted]',
      'x-session': '[Redacted]',
      'x-tenant': 'acme',
      'x-blob-bin': '<3 bytes>',
    });
    expect(JSON.stringify(sink.lines)).not.toMatch(/secret-token|k-123|s-456/);
  });

  it('gives handlers a child logger with the method and request id, keeping the logger’s own redaction', async () => {
    const { sink, client } = await start({}, { pino: { redact: ['user.password'] } });
    await client.echo({ message: 'a' }, { metadata: { 'x-request-id': 'req-42' } });
    const handled = await sink.find((line) => line.msg === 'handling');
    const ended = await sink.find(callLine('Echo'));
    expect(handled).toMatchObject({
      method: '/wirekit.test.v1.EchoService/Echo',
      requestId: 'req-42',
      user: { name: 'ada', password: '[Redacted]' },
    });
    expect(ended.requestId).toBe('req-42');

    sink.lines.length = 0;
    await client.echo({ message: 'b' }, { metadata: { 'x-request-id': 'x'.repeat(200) } });
    const generated = await sink.find((line) => line.msg === 'handling');
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await sink.find(callLine('Echo'))).requestId).toBe(generated.requestId);
  });

  it('adds trace ids and the authenticated subject when middleware set them', async () => {
    const tracing: ServerMiddleware = async function* tracing(call, next) {
      call.context.set(traceIdsKey, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
      return yield* next(call);
    };
    const auth: ServerMiddleware = async function* auth(call, next) {
      call.context.set(identityKey, { subject: 'user-7', method: 'test', scopes: [], roles: [], claims: {} });
      return yield* next(call);
    };
    const { sink, client } = await start({}, { around: [tracing], inside: [auth] });
    await client.echo({ message: 'a' });
    const ids = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    expect(await sink.find((line) => line.msg === 'handling')).toMatchObject(ids);
    expect(await sink.find(callLine('Echo'))).toMatchObject({ ...ids, subject: 'user-7' });
  });

  it('logs no payloads by default, and capped JSON of them when asked', async () => {
    const plain = await start();
    await plain.client.echo({ message: 'private' });
    const line = await plain.sink.find(callLine('Echo'));
    expect(JSON.stringify(line)).not.toContain('private');
    await running?.close();

    const { sink, client } = await start({ logPayloads: true, payloadMaxBytes: 120 });
    await client.echo({ message: 'hi', sequence: 9007199254740993n, payload: new Uint8Array([255, 0]) });
    const echo = await sink.find(callLine('Echo'));
    expect(JSON.parse(echo.request as string)).toEqual({ message: 'hi', sequence: '9007199254740993', payload: '/wA=' });
    expect(JSON.parse(echo.response as string)).toMatchObject({ message: 'hi', sequence: '9007199254740993' });

    await collect(client.expand({ message: 'many', count: 50 }));
    const expand = await sink.find(callLine('Expand'));
    const responses = expand.responses as string;
    expect(responses.startsWith('[{"message":"many-0"},{"message":"many-1","sequence":"1"}')).toBe(true);
    expect(responses.endsWith('…(truncated)')).toBe(true);
    expect(Buffer.byteLength(responses.slice(0, -'…(truncated)'.length))).toBeLessThanOrEqual(120);
    expect(expand.messagesSent).toBe(50);
  });

  describe('calls that end early', () => {
    it('logs a server stream the client stopped reading after the first message as CANCELLED', async () => {
      const { sink, client } = await start();
      for await (const response of client.expand({ message: 'forever' })) {
        expect(response.message).toBe('forever-0');
        break;
      }
      const line = await sink.find(callLine('Expand'));
      expect(line).toMatchObject({ level: WARN, status: 'CANCELLED', code: 1, messagesReceived: 1 });
      expect(line.messagesSent).toBeGreaterThanOrEqual(1);
    });

    it('logs a bidi stream the client aborted after the first response as CANCELLED', async () => {
      const { sink, client } = await start();
      const controller = new AbortController();
      async function* requests() {
        yield { message: 'first' };
        await aborted(controller.signal);
      }
      const replies: string[] = [];
      await expect(
        (async () => {
          for await (const reply of client.chat(requests(), { signal: controller.signal })) {
            replies.push(reply.message);
            controller.abort();
          }
        })(),
      ).rejects.toMatchObject({ code: Status.CANCELLED });
      expect(replies).toEqual(['first']);
      expect(await sink.find(callLine('Chat'))).toMatchObject({ level: WARN, status: 'CANCELLED', messagesReceived: 1, messagesSent: 1 });
    });

    it('logs a unary call cancelled while its handler waits as CANCELLED', async () => {
      const { sink, client } = await start();
      const controller = new AbortController();
      const call = client.echo({ message: 'park' }, { signal: controller.signal });
      await sink.find((line) => line.msg === 'handling');
      controller.abort();
      await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
      expect(await sink.find(callLine('Echo'))).toMatchObject({ level: WARN, status: 'CANCELLED', messagesSent: 0 });
    });

    it('logs a unary call whose handler ignored the cancellation and answered as CANCELLED: the client never got the answer', async () => {
      const { sink, client } = await start();
      const controller = new AbortController();
      const call = client.echo({ message: 'late' }, { signal: controller.signal });
      await sink.find((line) => line.msg === 'handling');
      controller.abort();
      await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
      expect(await sink.find(callLine('Echo'))).toMatchObject({ level: WARN, status: 'CANCELLED', messagesSent: 1 });
    });

    it('logs a stream whose deadline passed mid-stream as DEADLINE_EXCEEDED', async () => {
      const { sink, client } = await start();
      const responses = client.expand({ message: 'park' }, { timeoutMs: 300 })[Symbol.asyncIterator]();
      expect((await responses.next()).value?.message).toBe('park-0');
      await expect(responses.next()).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
      expect(await sink.find(callLine('Expand'))).toMatchObject({ level: WARN, status: 'DEADLINE_EXCEEDED', messagesSent: 1 });
    });

    it('logs a stream abandoned by its deadline while the server was blocked on a slow reader as DEADLINE_EXCEEDED', async () => {
      const { sink, client } = await start();
      const responses = client.expand({ message: 'forever' }, { timeoutMs: 300 })[Symbol.asyncIterator]();
      expect((await responses.next()).value?.message).toBe('forever-0');
      // The client stops reading: the server fills the flow-control window and waits, until the deadline.
      const line = await sink.find(callLine('Expand'));
      expect(line).toMatchObject({ level: WARN, status: 'DEADLINE_EXCEEDED', code: Status.DEADLINE_EXCEEDED });
      await responses.return?.();
    });

    it('logs an error thrown mid-stream at error level with its cause', async () => {
      const { sink, client } = await start();
      const received: string[] = [];
      await expect(
        (async () => {
          for await (const response of client.expand({ message: 'throw', count: 5 })) received.push(response.message);
        })(),
      ).rejects.toMatchObject({ code: Status.INTERNAL });
      expect(received).toEqual(['throw-0']);
      const line = await sink.find(callLine('Expand'));
      expect(line).toMatchObject({
        level: ERROR,
        status: 'INTERNAL',
        messagesSent: 1,
        err: { type: 'TypeError', message: 'broke mid-stream' },
      });
    });
  });
});
