import {
  type App,
  type AppOptions,
  type CallContext,
  type Client,
  type ClientOptions,
  createApp,
  createClient,
  type InMemoryTransport,
  type Provider,
  type ServerMiddleware,
  type ServiceDefinition,
  type Token,
} from '@wirekit/core';
import { type CapturedLog, CapturingLogger } from './captured-logs.js';
import { type CapturedTelemetry, captureTelemetry } from './captured-telemetry.js';

/** Options of `createTestApp`: the app's own options, plus what a test changes about it. */
export interface TestAppOptions extends AppOptions {
  /**
   * Providers that replace the app's for this test (a fake ledger, a controllable clock), registered after
   * `providers` so they win.
   */
  readonly overrides?: readonly Provider[];
  /**
   * Registers the test app's cleanup with the test runner, so nothing is left open after the test:
   * pass vitest's `onTestFinished` (or `afterEach`-style hook). Without it, call `close()` yourself.
   */
  readonly cleanup?: (close: () => Promise<void>) => void;
  /**
   * Runs at the start of every call, before any middleware: set per-call values there, such as the caller's
   * identity under the auth middleware's context key, so a test needs no token.
   */
  readonly callContext?: (context: CallContext) => void;
  /**
   * Records the server spans and metrics of the test's calls with the real `tracing()` and `metrics()`
   * middleware, outermost in the chain; read them from `testApp.telemetry`. Needs the optional peers
   * `@wirekit/middleware`, `@opentelemetry/sdk-trace-base` and `prom-client`.
   */
  readonly captureTelemetry?: boolean;
  /** Runs before the app is served, e.g. to `app.addService(definition, implementation)` without decorators. */
  readonly configure?: (app: App) => void;
}

/** An app served in memory for one test, with clients that need no port. */
export interface TestApp extends AsyncDisposable {
  readonly app: App;
  /** The in-memory connection clients use; `createClient(definition, transport)` works too. */
  readonly transport: InMemoryTransport;
  /** What the app logged (the causes of INTERNAL errors, shutdown problems), unless `logger` was given. */
  readonly logs: readonly CapturedLog[];
  /** Spans and metrics of the calls, with `captureTelemetry: true`. */
  readonly telemetry: CapturedTelemetry | undefined;
  /** A typed client over the in-memory transport; the channel settings of `options` are ignored but the limits. */
  client<D extends ServiceDefinition>(definition: D, options?: ClientOptions): Client<D>;
  /** The app's instance of a provided dependency (the override, when one was given). */
  get<T>(token: Token<T>): Promise<T>;
  /** Closes the clients and the app, running its shutdown hooks. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts an app in memory for a test: no port, no socket, the same server code as production (middleware,
 * serialization, metadata, deadlines, cancellation, statuses with details, size limits, backpressure).
 *
 * @example
 * const testApp = await createTestApp({ services: [PaymentHandlers], providers: [Ledger], cleanup: onTestFinished });
 * const payments = testApp.client(PaymentService);
 * expect(await payments.getPayment({ paymentId: 'p1' })).toMatchObject({ amountCents: 1250n });
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const {
    overrides = [],
    cleanup,
    configure,
    callContext,
    captureTelemetry: capture = false,
    providers = [],
    middleware = [],
    ...appOptions
  } = options;
  const telemetry = capture ? await captureTelemetry() : undefined;
  const logger = new CapturingLogger();
  const app = createApp({
    logger,
    shutdownSignals: [],
    shutdownGraceMs: 1_000,
    ...appOptions,
    providers: [...providers, ...overrides],
    middleware: [...(callContext ? [presetContext(callContext)] : []), ...(telemetry?.middleware ?? []), ...middleware],
  });
  let transport: InMemoryTransport;
  try {
    configure?.(app);
    transport = await app.serveInMemory();
  } catch (error: unknown) {
    // The app has already given up its own resources; the telemetry recorders are the harness's to close.
    await telemetry?.shutdown();
    throw error;
  }
  const transports: InMemoryTransport[] = [transport];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const each of transports) each.close();
      await app.close({ graceMs: 0 });
      await telemetry?.shutdown();
    })();
    return closing;
  };
  cleanup?.(close);
  return {
    app,
    transport,
    logs: logger.entries,
    telemetry,
    client(definition, clientOptions = {}) {
      const own = transport.withOptions(clientOptions);
      transports.push(own);
      return createClient(definition, own, clientOptions);
    },
    get: (token) => app.get(token),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function presetContext(prepare: (context: CallContext) => void): ServerMiddleware {
  return async function* presetContext(call, next) {
    prepare(call.context);
    return yield* next(call);
  };
}
