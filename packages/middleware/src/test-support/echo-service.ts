import { fileURLToPath } from 'node:url';
import {
  type App,
  type Client,
  type ClientMiddleware,
  type ClientTransport,
  createApp,
  createChannel,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  type ServerMiddleware,
  type ServiceImplementation,
} from '@wirekit/core';
import type {
  EchoService as GeneratedEchoService,
  OtherService as GeneratedOtherService,
} from '../../../core/src/test-support/echo.generated.js';

// The core's test services, loaded through the built @wirekit/core the middleware imports, so that the app, the
// client and the middleware share one copy of the core, as they do in a service. (The generated module itself
// imports the core's source: its decorators and classes would be a second copy.)
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', {
  includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
});

/** One rpc per mode: Echo, Expand, Collect, Chat. */
export const EchoService = defineService<(typeof GeneratedEchoService)['methods']>(protos, 'wirekit.test.v1.EchoService');

/** Ping, marked `idempotency_level = IDEMPOTENT`. */
export const OtherService = defineService<(typeof GeneratedOtherService)['methods']>(protos, 'wirekit.test.v1.OtherService');

/**
 * An app serving `implementation` and a client to it; `close()` ends both. Over a loopback port by default, or
 * through the app's in-memory transport (`transport: 'memory'`, which has no address). `wrapTransport` puts a
 * transport decorator such as `retry()` under the client's middleware.
 */
export async function serveEcho(options: {
  readonly middleware?: readonly ServerMiddleware[];
  readonly implementation: Partial<ServiceImplementation<typeof EchoService>>;
  readonly clientMiddleware?: readonly ClientMiddleware[];
  readonly transport?: 'tcp' | 'memory';
  readonly wrapTransport?: (transport: ClientTransport) => ClientTransport;
}): Promise<{ address: string; client: Client<typeof EchoService>; close(): Promise<void> }> {
  const { middleware = [], implementation, clientMiddleware = [], transport = 'tcp', wrapTransport } = options;
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), middleware });
  app.addService(EchoService, implementation, { allowUnimplemented: true });
  const { address, channel } = transport === 'memory' ? { address: 'in-memory', channel: await app.serveInMemory() } : await listening(app);
  const client = createClient(EchoService, wrapTransport ? wrapTransport(channel) : channel, { middleware: clientMiddleware });
  return {
    address,
    client,
    async close() {
      channel.close();
      await app.close({ graceMs: 0 });
    },
  };
}

async function listening(app: App): Promise<{ address: string; channel: ClientTransport }> {
  const { address } = await app.listen('127.0.0.1:0');
  return { address, channel: createChannel(address) };
}

/** Resolves with the reason when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Every item of an async iterable. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
