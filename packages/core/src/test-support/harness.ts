import { type Client, type ClientOptions, closeClient, createClient } from '../client/create-client.js';
import type { ServiceDefinition } from '../definition.js';
import type { InMemoryTransport } from '../in-memory/in-memory-transport.js';
import { createSilentLogger, type Logger } from '../logger.js';
import { type App, type AppOptions, createApp } from '../server/app.js';

/** A logger that keeps what it was told, so tests can assert on what the server logged. */
export interface RecordingLogger extends Logger {
  readonly entries: { level: 'error' | 'warn' | 'info'; fields: Readonly<Record<string, unknown>>; message: string }[];
}

export function createRecordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  return {
    entries,
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
  };
}

/**
 * Which transport the behaviour suites run over: loopback TCP by default, or the in-memory transport when
 * WIREKIT_TEST_TRANSPORT=memory (the vitest "memory" project runs the same files that way).
 */
export const TEST_TRANSPORT: 'tcp' | 'memory' = process.env.WIREKIT_TEST_TRANSPORT === 'memory' ? 'memory' : 'tcp';

/** An app serving the test, with what a test needs to reach it and to clean up. */
export interface RunningApp {
  readonly app: App;
  /** The loopback address; only over TCP (tests that need a socket are not part of the in-memory run). */
  readonly address: string;
  readonly port: number;
  client<D extends ServiceDefinition>(definition: D, options?: ClientOptions): Client<D>;
  /** Closes every client made through `client()`, then the app. */
  close(): Promise<void>;
}

/**
 * Starts an app with signals left alone and a silent logger unless the test passes one: on 127.0.0.1:0, or in
 * memory when the suite runs over the in-memory transport.
 */
export async function startApp(options: AppOptions, configure?: (app: App) => void): Promise<RunningApp> {
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), shutdownGraceMs: 2_000, ...options });
  configure?.(app);
  if (TEST_TRANSPORT === 'memory') {
    const transport = await app.serveInMemory();
    const transports: InMemoryTransport[] = [];
    return {
      app,
      get address(): string {
        throw new Error('this test needs a socket; it cannot run over the in-memory transport');
      },
      get port(): number {
        throw new Error('this test needs a socket; it cannot run over the in-memory transport');
      },
      client(definition, clientOptions = {}) {
        const own = transport.withOptions(clientOptions);
        transports.push(own);
        return createClient(definition, own, clientOptions);
      },
      async close() {
        for (const own of transports) own.close();
        await app.close({ graceMs: 0 });
      },
    };
  }
  const { address, port } = await app.listen('127.0.0.1:0');
  const clients: object[] = [];
  return {
    app,
    address,
    port,
    client(definition, clientOptions) {
      const client = createClient(definition, address, clientOptions);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) closeClient(client);
      await app.close({ graceMs: 0 });
    },
  };
}

/** Collects an async iterable into an array. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

/** A promise that a test resolves by hand, to order events without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}
