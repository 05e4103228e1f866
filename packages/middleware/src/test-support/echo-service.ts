import { fileURLToPath } from 'node:url';
import {
  type Client,
  type ClientMiddleware,
  closeClient,
  createApp,
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

/** An app serving `implementation` on a loopback port, and a client to it; `close()` ends both. */
export async function serveEcho(options: {
  readonly middleware?: readonly ServerMiddleware[];
  readonly implementation: Partial<ServiceImplementation<typeof EchoService>>;
  readonly clientMiddleware?: readonly ClientMiddleware[];
}): Promise<{ address: string; client: Client<typeof EchoService>; close(): Promise<void> }> {
  const { middleware = [], implementation, clientMiddleware = [] } = options;
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), middleware });
  app.addService(EchoService, implementation, { allowUnimplemented: true });
  const { address } = await app.listen('127.0.0.1:0');
  const client = createClient(EchoService, address, { middleware: clientMiddleware });
  return {
    address,
    client,
    async close() {
      closeClient(client);
      await app.close({ graceMs: 0 });
    },
  };
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
