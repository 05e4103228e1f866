import { Server } from '@grpc/grpc-js';
import type { Constructor } from '../decorators/decorator-metadata.js';
import type { RpcMode, ServiceDefinition } from '../definition.js';
import { Container } from '../di/container.js';
import type { Provider } from '../di/provider.js';
import type { Token } from '../di/token.js';
import type { ServiceImplementation } from '../handler.js';
import { type InMemoryClientOptions, InMemoryTransport } from '../in-memory/in-memory-transport.js';
import { createStderrLogger, type Logger } from '../logger.js';
import type { ServerMiddleware } from '../middleware/server-middleware.js';
import type { ProtoSet } from '../protos/proto-set.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { CallTracker } from './call-tracker.js';
import { installFrameGuard, passRequestBytes } from './frame-guard.js';
import { HealthReporter, type HealthStatus } from './health.js';
import { createGrpcHandler, type GrpcHandler, type ServerRuntime } from './method-runtime.js';
import { addReflection } from './reflection.js';
import { installResponseCompression, responseSerializer } from './response-compression.js';
import { grpcServerOptions, serverCredentials, type TransportOptions } from './server-options.js';
import { type BoundService, bindClass, bindObject, type ObjectRegistration } from './service-binder.js';
import { StartupError } from './startup-error.js';

/** Everything `createApp` takes; each part has a production-minded default. */
export interface AppOptions extends TransportOptions {
  /** Classes decorated with `@Service`, constructed by the app's container. */
  readonly services?: readonly Constructor[];
  /** Dependencies for service constructors (and for each other). */
  readonly providers?: readonly Provider[];
  /** App-wide server middleware, outermost first. */
  readonly middleware?: readonly ServerMiddleware[];
  /** Protos in which `@Service('full.Name')` bindings are looked up (generated definitions bring their own). */
  readonly protos?: readonly ProtoSet[];
  /** Serve `grpc.health.v1.Health`. Default `true`. */
  readonly health?: boolean;
  /** Serve server reflection (v1 and v1alpha). Default `true`. */
  readonly reflection?: boolean;
  /** How long in-flight calls may run after a shutdown begins before their signals are aborted. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Signals that start a graceful shutdown, after which the process exits. Default SIGTERM and SIGINT; `[]` for none. */
  readonly shutdownSignals?: readonly NodeJS.Signals[];
  /** Where causes of INTERNAL errors and shutdown problems go. Default: JSON lines on stderr. */
  readonly logger?: Logger;
}

/** Where a listening app can be reached. */
export interface ListenResult {
  /** The address as given, with the actual port when port 0 was asked for, e.g. `127.0.0.1:50123`. */
  readonly address: string;
  readonly port: number;
}

/** A service as the app serves it, for tools and contract checks. */
export interface ServedService {
  /** The full proto name, e.g. `payments.v1.PaymentService`. */
  readonly name: string;
  /** Who implements it: a class name, or `addService(<name>)`. */
  readonly owner: string;
  readonly rpcs: readonly { readonly name: string; readonly mode: RpcMode; readonly implemented: boolean }[];
}

/** Options of `app.addService`. */
export interface AddServiceOptions {
  readonly middleware?: readonly ServerMiddleware[];
  readonly allowUnimplemented?: boolean;
}

type AppState = 'created' | 'starting' | 'ready' | 'closing' | 'closed';

/**
 * A gRPC server with its services, dependencies and middleware.
 *
 * @example
 * const app = createApp({ services: [PaymentHandlers], providers: [Ledger] });
 * const { port } = await app.listen('127.0.0.1:50051');
 * // … later
 * await app.close();
 */
export class App {
  readonly #options: AppOptions;
  readonly #container: Container;
  readonly #logger: Logger;
  readonly #registrations: ObjectRegistration[] = [];
  readonly #health = new HealthReporter();
  readonly #runtime: ServerRuntime;
  readonly #signalHandlers = new Map<NodeJS.Signals, () => void>();
  /** How long calls in progress may run once a shutdown begins. */
  get #graceMs(): number {
    return this.#options.shutdownGraceMs ?? 10_000;
  }
  /** The signal that started the shutdown, if one did. */
  #shutdownSignal: NodeJS.Signals | undefined;
  #server: Server | undefined;
  #services: BoundService[] = [];
  readonly #handlers = new Map<string, GrpcHandler>();
  #state: AppState = 'created';
  #closing: Promise<void> | undefined;
  #preparing: Promise<void> | undefined;

  constructor(options: AppOptions = {}) {
    this.#options = options;
    this.#container = new Container(options.providers);
    this.#logger = options.logger ?? createStderrLogger();
    this.#runtime = { logger: this.#logger, inFlight: new CallTracker() };
  }

  /**
   * Adds a service implemented by a plain object, without decorators: one handler per rpc, named like the rpc
   * with a lower-case first letter. The compiler checks each handler against the definition.
   *
   * @example
   * app.addService(PaymentService, { charge: async (request) => ({ paymentId: 'p1' }), … });
   */
  addService<D extends ServiceDefinition>(
    definition: D,
    implementation: NoInfer<ServiceImplementation<D>>,
    options?: AddServiceOptions,
  ): this;
  /** With `allowUnimplemented: true`, handlers may be left out; calls to them get UNIMPLEMENTED. */
  addService<D extends ServiceDefinition>(
    definition: D,
    implementation: NoInfer<Partial<ServiceImplementation<D>>>,
    options: AddServiceOptions & { readonly allowUnimplemented: true },
  ): this;
  addService<D extends ServiceDefinition>(
    definition: D,
    implementation: Partial<ServiceImplementation<D>>,
    options: AddServiceOptions = {},
  ): this {
    if (this.#state !== 'created') throw new Error('addService must be called before listen() or serveInMemory()');
    this.#registrations.push({
      definition,
      implementation: implementation as unknown as Readonly<Record<string, unknown>>,
      middleware: options.middleware ?? [],
      allowUnimplemented: options.allowUnimplemented ?? false,
    });
    return this;
  }

  /** The app's instance of a provided dependency (constructed on first use). */
  get<T>(token: Token<T>): Promise<T> {
    return this.#container.resolve(token);
  }

  /** Sets what the health service reports for one service (`''` is the server as a whole). */
  setHealth(service: string, status: HealthStatus): void {
    this.#health.set(service, status);
  }

  /** The services the app serves, and whether each rpc has a handler; empty until `listen`/`serveInMemory`. */
  get servedServices(): readonly ServedService[] {
    return this.#services.map((service) => ({
      name: service.definition.fullName,
      owner: service.owner,
      rpcs: service.methods.map((method) => ({
        name: method.definition.name,
        mode: method.definition.mode,
        implemented: method.handler !== undefined,
      })),
    }));
  }

  /** The number of calls in progress. */
  get callsInFlight(): number {
    return this.#runtime.inFlight.size;
  }

  /**
   * Constructs and checks every service, runs `onStart` hooks, then listens. Port 0 picks a free port.
   * Throws `StartupError` naming every binding problem, before anything listens.
   */
  async listen(address = '127.0.0.1:50051'): Promise<ListenResult> {
    if (this.#server) throw new Error(`listen() was already called (the app is ${this.#state})`);
    const server = new Server(grpcServerOptions(this.#options));
    this.#server = server;
    try {
      await this.#prepare();
      this.#addServices(server);
      const port = await bind(server, address, this.#options);
      this.#health.setAll('SERVING');
      this.#installSignalHandlers();
      return { address: address.replace(/:\d+$/, `:${port}`), port };
    } catch (error: unknown) {
      await this.#abandon();
      throw error;
    }
  }

  /**
   * Serves the app to clients in the same process, with no socket: the returned transport is given to
   * `createClient`. Calls run the app's own server code (middleware, context, statuses, deadlines,
   * cancellation, size limits, backpressure) with real serialization; only HTTP/2 framing is left out.
   * `@wirekit/testing` builds its test apps on this. May be used alongside `listen()`.
   *
   * @example
   * const transport = await app.serveInMemory();
   * const client = createClient(PaymentService, transport);
   */
  async serveInMemory(options: InMemoryClientOptions = {}): Promise<InMemoryTransport> {
    try {
      await this.#prepare();
    } catch (error: unknown) {
      await this.#abandon();
      throw error;
    }
    return new InMemoryTransport(
      {
        handler: (path) => this.#handlers.get(path),
        accepting: () => this.#state === 'ready',
        maxReceiveMessageBytes: this.#options.maxReceiveMessageBytes,
        maxSendMessageBytes: this.#options.maxSendMessageBytes,
      },
      options,
    );
  }

  /** Constructs and checks the services, runs `onStart` hooks and builds the handlers: once per app. */
  #prepare(): Promise<void> {
    this.#preparing ??= (async () => {
      if (this.#state !== 'created') throw new Error(`the app cannot start: it is ${this.#state}`);
      this.#state = 'starting';
      this.#services = await this.#bindServices();
      await this.#container.start();
      for (const service of this.#services) {
        for (const method of service.methods) this.#handlers.set(method.definition.path, createGrpcHandler(method, this.#runtime));
      }
      this.#state = 'ready';
    })();
    return this.#preparing;
  }

  async #abandon(): Promise<void> {
    this.#state = 'closed';
    this.#server?.forceShutdown();
    await this.#container.shutdown((hookError) => this.#logger.error({ err: hookError }, 'onShutdown hook failed'));
  }

  /**
   * Shuts down gracefully: health turns NOT_SERVING, new calls are refused, calls in progress may finish within
   * `graceMs` (default: the app's `shutdownGraceMs`, 10 s); after that their signals abort with CANCELLED and
   * the connections close. Then `onShutdown` hooks run. Calling it again returns the same promise.
   */
  close(options: { readonly graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs ?? this.#graceMs);
    return this.#closing;
  }

  async #bindServices(): Promise<BoundService[]> {
    const { services = [], middleware = [], protos = [] } = this.#options;
    const problems: string[] = [];
    const protoSets = [...protos, ...this.#registrations.map((registration) => registration.definition.protos)];
    const bound: BoundService[] = [];
    for (const target of services) {
      if (!this.#container.has(target)) this.#container.register(target);
      const instance = (await this.#container.resolve(target)) as object;
      const service = bindClass(target, instance, protoSets, middleware, problems);
      if (service) bound.push(service);
    }
    for (const registration of this.#registrations) bound.push(bindObject(registration, middleware, problems));
    const owners = new Map<string, string>();
    for (const service of bound) {
      const previous = owners.get(service.definition.fullName);
      if (previous) {
        problems.push(`service ${service.definition.fullName} is bound by both ${previous} and ${service.owner}; keep one`);
      }
      owners.set(service.definition.fullName, service.owner);
    }
    if (problems.length > 0) throw new StartupError(problems);
    return bound;
  }

  #addServices(server: Server): void {
    const { health = true, reflection = true, responseCompression } = this.#options;
    installFrameGuard();
    if (responseCompression) installResponseCompression();
    const serializeResponse = responseSerializer(responseCompression);
    for (const service of this.#services) {
      const handlers: Record<string, unknown> = {};
      const grpcDefinition: Record<string, unknown> = {};
      for (const method of service.methods) {
        const { definition } = method;
        handlers[definition.name] = (this.#handlers.get(definition.path) as GrpcHandler).func;
        grpcDefinition[definition.name] = {
          path: definition.path,
          requestStream: definition.requestStream,
          responseStream: definition.responseStream,
          // Messages are decoded and encoded by the method runtime, which turns a bad message into a clear status.
          requestSerialize: passBytes,
          requestDeserialize: passRequestBytes,
          responseSerialize: serializeResponse,
          responseDeserialize: passBytes,
        };
      }
      server.addService(grpcDefinition as Parameters<Server['addService']>[0], handlers as Parameters<Server['addService']>[1]);
      if (health) this.#health.set(service.definition.fullName, 'NOT_SERVING');
    }
    if (health) this.#health.addToServer(server);
    if (reflection) {
      const protoSets = [...new Set(this.#services.map((service) => service.definition.protos))];
      addReflection(
        server,
        protoSets,
        this.#services.map((service) => service.definition.fullName),
        health,
      );
    }
  }

  #installSignalHandlers(): void {
    const { shutdownSignals = ['SIGTERM', 'SIGINT'] } = this.#options;
    for (const signal of shutdownSignals) {
      const handler = (): void => {
        // A repeat is the normal case, not an impatient user: under `npm start` one Ctrl-C reaches the server once
        // from the terminal and once more from each npm, and systemd signals every process of a unit. Kept
        // listening so that a repeat cannot get Node's default action (exit at once, calls in progress cut).
        if (this.#shutdownSignal !== undefined) {
          this.#logger.warn(
            { signal },
            `already shutting down gracefully: calls in progress have up to ${this.#graceMs} ms in all; SIGKILL stops the process now`,
          );
          return;
        }
        this.#shutdownSignal = signal;
        this.#logger.info({ signal }, 'shutting down gracefully');
        this.close().then(
          () => process.exit(0),
          (error: unknown) => {
            this.#logger.error({ err: error }, 'graceful shutdown failed');
            process.exit(1);
          },
        );
      };
      this.#signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  async #shutdown(graceMs: number): Promise<void> {
    // Closed by a signal, the process exits when the drain ends: the handlers stay to absorb repeats until then.
    if (this.#shutdownSignal === undefined) {
      for (const [signal, handler] of this.#signalHandlers) process.removeListener(signal, handler);
      this.#signalHandlers.clear();
    }
    // A close that races the start waits for it, so hooks never run while services are still being built.
    await this.#preparing?.catch(() => {});
    if (this.#state !== 'ready') {
      this.#state = 'closed';
      return;
    }
    this.#state = 'closing';
    this.#health.setAll('NOT_SERVING');
    const server = this.#server;
    // tryShutdown stops listening and sends GOAWAY: new calls are refused, calls in progress continue.
    // In-memory calls are refused by the transport once the app is no longer ready.
    const drained = Promise.all([
      server ? new Promise<void>((resolve) => server.tryShutdown(() => resolve())) : undefined,
      this.#runtime.inFlight.idle(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => {
      timer = setTimeout(() => resolve('grace-over'), graceMs);
    });
    const outcome = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    if (outcome === 'grace-over') {
      const reason = new RpcError(Status.CANCELLED, 'the server is shutting down and the grace period is over');
      for (const context of this.#runtime.inFlight) context.abort(reason);
      // Handlers get one turn to send their status after the abort before connections are cut.
      await new Promise((resolve) => setImmediate(resolve));
      server?.forceShutdown();
    }
    await this.#container.shutdown((error) => this.#logger.error({ err: error }, 'onShutdown hook failed'));
    this.#state = 'closed';
  }
}

/**
 * Creates an app; nothing is constructed or checked until `listen()`.
 *
 * @example
 * const app = createApp({ services: [PaymentHandlers], providers: [Ledger], middleware: [logging()] });
 * await app.listen('0.0.0.0:50051');
 */
export function createApp(options: AppOptions = {}): App {
  return new App(options);
}

function passBytes(bytes: Buffer): Buffer {
  return bytes;
}

function bind(server: Server, address: string, options: TransportOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, serverCredentials(options.tls), (error, port) => {
      if (error) reject(new Error(`cannot listen on ${address}: ${error.message}`, { cause: error }));
      else resolve(port);
    });
  });
}
