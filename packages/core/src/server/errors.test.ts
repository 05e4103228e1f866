import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorDetail } from '../error-details.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { collect, createRecordingLogger, type RunningApp, startApp } from '../test-support/harness.js';

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
    // The process and the server are still fine.
    await expect(client.echo({ message: 'after' }).catch(() => 'still failing as designed')).resolves.toBeDefined();
  });

  it('answers UNIMPLEMENTED for an rpc allowed to stay unimplemented', async () => {
    running = await startApp({}, (app) => app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }));
    await expect(running.client(EchoService).collect([])).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
  });

  it('fails with RESOURCE_EXHAUSTED when a request exceeds the server limit', async () => {
    running = await startApp({ maxReceiveMessageBytes: 1024 }, (app) =>
      app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }),
    );
    const client = running.client(EchoService);
    await expect(client.echo({ payload: new Uint8Array(4096) })).rejects.toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
    await expect(client.echo({ payload: new Uint8Array(100) })).resolves.toBeDefined();
  });

  it('fails with RESOURCE_EXHAUSTED when a response exceeds the client limit', async () => {
    running = await startApp({}, (app) =>
      app.addService(EchoService, { echo: () => ({ payload: new Uint8Array(64 * 1024) }) }, { allowUnimplemented: true }),
    );
    await expect(running.client(EchoService, { maxReceiveMessageBytes: 1024 }).echo({})).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
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
