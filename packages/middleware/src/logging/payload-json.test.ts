import { fileURLToPath } from 'node:url';
import {
  type App,
  type Client,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  ProtoTimestamp,
} from '@wirekit/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { KitchenService as GeneratedKitchenService } from '../../../core/src/protos/test-support/kitchen-sink.generated.js';
import { logging } from './logging.js';

// The core's kitchen-sink proto, loaded through the built @wirekit/core the middleware imports (as echo-service.ts
// does), so the app, the client and the middleware share one copy of the core.
const protos = ProtoSet.load('kitchen_sink.proto', {
  includeDirs: [fileURLToPath(new URL('../../../core/src/protos/test-support', import.meta.url))],
});
const KitchenService = defineService<(typeof GeneratedKitchenService)['methods']>(protos, 'kitchen.v1.KitchenService');

type Line = Record<string, unknown> & { readonly msg: string; readonly method: string };

/** The call lines pino writes, by method name: a promise for each, resolved when its line is written. */
class CallLines {
  readonly #lines = new Map<string, { promise: Promise<Line>; resolve: (line: Line) => void }>();

  write(text: string): void {
    const line = JSON.parse(text) as Line;
    if (line.msg === 'call ended') this.#entry(line.method.slice(line.method.lastIndexOf('/') + 1)).resolve(line);
  }

  /** The line of the (one) call to `method`, once the logging middleware wrote it. */
  of(method: string): Promise<Line> {
    return this.#entry(method).promise;
  }

  #entry(method: string): { promise: Promise<Line>; resolve: (line: Line) => void } {
    let entry = this.#lines.get(method);
    if (entry === undefined) {
      let resolve: (line: Line) => void = () => {};
      const promise = new Promise<Line>((settle) => {
        resolve = settle;
      });
      entry = { promise, resolve };
      this.#lines.set(method, entry);
    }
    return entry;
  }
}

/** The app with `logging({ logPayloads: true })` and a client to it, over loopback TCP or in memory. */
async function serve(transport: 'tcp' | 'memory', lines: CallLines) {
  const logger = pino({ level: 'info' }, { write: (text: string) => lines.write(text) });
  const app: App = createApp({ shutdownSignals: [], logger: createSilentLogger(), middleware: [logging({ logger, logPayloads: true })] });
  app.addService(
    KitchenService,
    {
      put: () => ({}),
      // A NaN inside a google.protobuf.Value goes on the wire as a double, but has no JSON form.
      get: (request) =>
        request.id === 'nan-value' ? { dynamic: Number.NaN } : { anInt64: -(2n ** 63n), aDouble: Number.NEGATIVE_INFINITY },
    },
    { allowUnimplemented: true },
  );
  let client: Client<typeof KitchenService>;
  if (transport === 'memory') {
    client = createClient(KitchenService, await app.serveInMemory());
  } else {
    const { address } = await app.listen('127.0.0.1:0');
    client = createClient(KitchenService, address);
  }
  return {
    client,
    async close() {
      closeClient(client);
      await app.close({ graceMs: 0 });
    },
  };
}

describe.each(['tcp', 'memory'] as const)('logged payloads in the canonical proto3 JSON mapping (%s)', (transport) => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('writes int64, enums, a Timestamp with nanos, a Duration, a oneof and NaN in their JSON forms', async () => {
    const lines = new CallLines();
    const served = await serve(transport, lines);
    running = served;
    await served.client.put({
      anInt64: 2n ** 63n - 1n,
      aUint64: 18446744073709551615n,
      color: 'COLOR_RED',
      mood: 'MOOD_GRUMPY',
      createdAt: new ProtoTimestamp(1714564800n, 123456789),
      timeout: { seconds: 1n, nanos: 500_000_000 },
      choice: { case: 'choiceNumber', value: 42n },
      contact: { case: 'contactAfter', value: new ProtoTimestamp(0n, 1) },
      aDouble: Number.NaN,
      aFloat: Number.POSITIVE_INFINITY,
      aBytes: new Uint8Array([255, 0]),
      anInt32: 0,
      renamed: 'custom',
    });
    const line = await lines.of('Put');
    expect(JSON.parse(line.request as string)).toStrictEqual({
      anInt64: '9223372036854775807',
      aUint64: '18446744073709551615',
      color: 'COLOR_RED',
      mood: 'MOOD_GRUMPY',
      createdAt: '2024-05-01T12:00:00.123456789Z',
      timeout: '1.500s',
      choiceNumber: '42',
      contactAfter: '1970-01-01T00:00:00.000000001Z',
      aDouble: 'NaN',
      aFloat: 'Infinity',
      aBytes: '/wA=',
      customName: 'custom',
    });
    expect(line.response).toBe('{}');
    expect(line).not.toHaveProperty('requestJsonProblem');

    await served.client.get({ id: 'extremes' });
    expect(JSON.parse((await lines.of('Get')).response as string)).toStrictEqual({ anInt64: '-9223372036854775808', aDouble: '-Infinity' });
  });

  it('falls back to plain JSON for a message the mapping cannot show, and says why in the line', async () => {
    const lines = new CallLines();
    const served = await serve(transport, lines);
    running = served;
    await served.client.get({ id: 'nan-value' });
    const line = await lines.of('Get');
    expect(line.status).toBe('OK');
    expect(line.responseJsonProblem).toMatch(/^kitchen\.v1\.KitchenSink\.dynamic: .*NaN/);
    expect(line.response).toBe('{"dynamic":null}');
    expect(line.request).toBe('{"id":"nan-value"}');
    expect(line).not.toHaveProperty('requestJsonProblem');
  });
});
