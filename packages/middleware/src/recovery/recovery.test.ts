import {
  type Client,
  closeClient,
  createApp,
  createClient,
  type Logger,
  RpcError,
  type ServerMiddleware,
  type ServiceImplementation,
  Status,
} from '@wirekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoService } from '../test-support/echo-service.js';
import { recovery } from './recovery.js';

class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

/** Throws what the request asks for: a bug (`message: 'bug'`), a string, an abort, or an RpcError. */
function fail(message: string, failWithCode = 0): void {
  if (message === 'bug') throw new DatabaseError('connection to db-7.internal:5432 refused');
  if (message === 'string') throw 'a thrown string';
  if (message === 'abort') throw new DOMException('stopped', 'AbortError');
  if (failWithCode) throw new RpcError(failWithCode, 'failed as asked');
}

const implementation: ServiceImplementation<typeof EchoService> = {
  echo: (request) => {
    fail(request.message, request.failWithCode);
    return { message: request.message };
  },
  async *expand(request) {
    yield { message: 'first' };
    fail(request.message);
  },
  collect: async (requests) => {
    for await (const request of requests) fail(request.message);
    return {};
  },
  async *chat(requests) {
    for await (const request of requests) {
      yield { message: request.message };
      fail(request.message);
    }
  },
};

interface Entry {
  readonly level: 'error' | 'warn' | 'info';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

function recordingLogger(): Logger & { readonly entries: Entry[] } {
  const entries: Entry[] = [];
  return {
    entries,
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
  };
}

describe('recovery middleware', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** An app with `recovery` innermost, and a middleware outside it that records what it saw thrown. */
  async function start() {
    const logger = recordingLogger();
    const appLogger = recordingLogger();
    const seen: unknown[] = [];
    const outer: ServerMiddleware = async function* outer(call, next) {
      try {
        return yield* next(call);
      } catch (error: unknown) {
        seen.push(error);
        throw error;
      }
    };
    const app = createApp({ shutdownSignals: [], logger: appLogger, middleware: [outer, recovery({ logger })] });
    app.addService(EchoService, implementation);
    const { address } = await app.listen('127.0.0.1:0');
    const client: Client<typeof EchoService> = createClient(EchoService, address);
    running = {
      async close() {
        closeClient(client);
        await app.close({ graceMs: 0 });
      },
    };
    return { client, logger, appLogger, seen };
  }

  it('turns a thrown bug into INTERNAL with the generic message, logs the cause once, and keeps serving', async () => {
    const { client, logger, appLogger, seen } = await start();
    const failure = await client.echo({ message: 'bug' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: Status.INTERNAL, rawMessage: 'Internal server error' });
    expect(JSON.stringify(failure)).not.toContain('db-7');

    expect(logger.entries).toHaveLength(1);
    const [entry] = logger.entries;
    expect(entry?.level).toBe('error');
    expect(entry?.fields).toMatchObject({ method: '/wirekit.test.v1.EchoService/Echo', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(entry?.fields.err).toBeInstanceOf(DatabaseError);
    // Converted inside the chain, so the app's own edge has nothing left to log.
    expect(appLogger.entries).toEqual([]);

    expect(seen).toHaveLength(1);
    expect(RpcError.is(seen[0])).toBe(true);
    expect((seen[0] as RpcError).code).toBe(Status.INTERNAL);
    expect((seen[0] as RpcError).cause).toBeInstanceOf(DatabaseError);

    await expect(client.echo({ message: 'still serving' })).resolves.toMatchObject({ message: 'still serving' });
  });

  it('recovers from errors thrown mid-stream in every streaming mode', async () => {
    const { client, logger, seen } = await start();
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const response of client.expand({ message: 'bug' })) received.push(response.message);
      })(),
    ).rejects.toMatchObject({ code: Status.INTERNAL, rawMessage: 'Internal server error' });
    await expect(client.collect([{ message: 'fine' }, { message: 'bug' }])).rejects.toMatchObject({ code: Status.INTERNAL });
    await expect(
      (async () => {
        for await (const response of client.chat([{ message: 'bug' }])) received.push(response.message);
      })(),
    ).rejects.toMatchObject({ code: Status.INTERNAL });
    expect(received).toEqual(['first', 'bug']);
    expect(logger.entries.map((entry) => entry.fields.method)).toEqual([
      '/wirekit.test.v1.EchoService/Expand',
      '/wirekit.test.v1.EchoService/Collect',
      '/wirekit.test.v1.EchoService/Chat',
    ]);
    expect(seen.every((error) => RpcError.is(error) && error.code === Status.INTERNAL)).toBe(true);
  });

  it('converts values that are not errors too', async () => {
    const { client, logger } = await start();
    await expect(client.echo({ message: 'string' })).rejects.toMatchObject({ code: Status.INTERNAL, rawMessage: 'Internal server error' });
    expect(logger.entries[0]?.fields.err).toBe('a thrown string');
  });

  it('passes an RpcError through untouched and unlogged, and maps an abort to CANCELLED without a log line', async () => {
    const { client, logger, seen } = await start();
    await expect(client.echo({ failWithCode: Status.NOT_FOUND })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      rawMessage: 'failed as asked',
    });
    await expect(client.echo({ message: 'abort' })).rejects.toMatchObject({ code: Status.CANCELLED });
    expect(logger.entries).toEqual([]);
    expect(seen.map((error) => (error as RpcError).code)).toEqual([Status.NOT_FOUND, Status.CANCELLED]);
  });
});
