// Test support for the auth tests (not part of the public entry point): the core's Echo service, served with
// handlers that answer with the caller's identity, and a helper that calls it in all four modes.
import { fileURLToPath } from 'node:url';
import {
  type App,
  type AppOptions,
  type BidiStreaming,
  type CallContext,
  type CallOptions,
  type Client,
  type ClientOptions,
  type ClientStreaming,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  RpcError,
  type ServerStreaming,
  type Unary,
} from '@wirekit/core';
import { identityKey } from '../../shared/identity.js';
import { authFailureReason } from '../auth-error.js';

// Built on the same .proto as the core's generated `EchoService`, but with this package's copy of
// `@wirekit/core`: decorators and the app must come from one copy, or their metadata does not meet.
const protoRoot = fileURLToPath(new URL('../../../../core/src/test-support/protos/', import.meta.url));
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', { includeDirs: [protoRoot] });

export interface EchoRequest {
  message: string;
  sequence: bigint;
  payload: Uint8Array;
  failWithCode: number;
}
export interface EchoResponse {
  message: string;
  sequence: bigint;
  payload: Uint8Array;
}
export interface ExpandRequest {
  message: string;
  count: number;
  payloadBytes: number;
}
export interface CollectResponse {
  count: number;
  joined: string;
  sequenceTotal: bigint;
}

/** `wirekit.test.v1.EchoService`: Echo (unary), Expand (server stream), Collect (client stream), Chat (bidi). */
export const EchoService = defineService<{
  Echo: Unary<EchoRequest, EchoResponse>;
  Expand: ServerStreaming<ExpandRequest, EchoResponse>;
  Collect: ClientStreaming<EchoRequest, CollectResponse>;
  Chat: BidiStreaming<EchoRequest, EchoResponse>;
}>(protos, 'wirekit.test.v1.EchoService');

/** `wirekit.test.v1.OtherService`: one unary rpc, Ping. */
export const OtherService = defineService<{ Ping: Unary<EchoRequest, EchoResponse> }>(protos, 'wirekit.test.v1.OtherService');

/** What the handlers saw: the rpcs they were called for and the request messages they read. */
export interface HandlerLog {
  readonly called: string[];
  readonly received: string[];
}

/** `subject method` of the caller, as the handlers answer it. */
export function describeCaller(ctx: CallContext): string {
  const identity = ctx.get(identityKey);
  return identity === undefined ? 'anonymous' : `${identity.subject} ${identity.method}`;
}

/** Adds EchoService with handlers that answer with the caller (see `describeCaller`) and log what they saw. */
export function addWhoAmI(app: App, log: HandlerLog = { called: [], received: [] }): HandlerLog {
  app.addService(EchoService, {
    echo: (_request, ctx) => {
      log.called.push('Echo');
      return { message: describeCaller(ctx) };
    },
    async *expand(request, ctx) {
      log.called.push('Expand');
      for (let index = 0; index < request.count; index++) yield { message: describeCaller(ctx) };
    },
    collect: async (requests, ctx) => {
      log.called.push('Collect');
      for await (const request of requests) log.received.push(request.message);
      return { joined: describeCaller(ctx) };
    },
    async *chat(requests, ctx) {
      log.called.push('Chat');
      for await (const request of requests) {
        log.received.push(request.message);
        yield { message: describeCaller(ctx) };
      }
    },
  });
  return log;
}

/** An app on 127.0.0.1:0 and the clients made for it, closed together. */
export interface RunningApp {
  readonly app: App;
  readonly address: string;
  client<D extends Parameters<typeof createClient>[0]>(definition: D, options?: ClientOptions): Client<D>;
  close(): Promise<void>;
}

/** Starts an app on a loopback port, with signals left alone and a silent logger unless one is given. */
export async function startApp(options: AppOptions, configure?: (app: App) => void): Promise<RunningApp> {
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), health: false, reflection: false, ...options });
  configure?.(app);
  const { address } = await app.listen('127.0.0.1:0');
  const clients: object[] = [];
  return {
    app,
    address,
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

/** How one call ended: the caller the handler saw, or the status, auth reason and message of the failure. */
export type Outcome = { readonly ok: string } | { readonly code: number; readonly reason: string | undefined; readonly message: string };

/** Calls Echo, Expand, Collect and Chat once each and reports how each ended, in that order. */
export async function callEveryMode(client: Client<typeof EchoService>, options: CallOptions = {}): Promise<Outcome[]> {
  const withDeadline: CallOptions = { timeoutMs: 10_000, ...options };
  return Promise.all([
    outcome(async () => (await client.echo({ message: 'unary' }, withDeadline)).message),
    outcome(async () => {
      const messages: string[] = [];
      for await (const response of client.expand({ message: 'server', count: 2 }, withDeadline)) messages.push(response.message);
      return [...new Set(messages)].join(' | ');
    }),
    outcome(async () => (await client.collect([{ message: 'client-1' }, { message: 'client-2' }], withDeadline)).joined),
    outcome(async () => {
      const messages: string[] = [];
      for await (const response of client.chat([{ message: 'bidi' }], withDeadline)) messages.push(response.message);
      return messages.join(' | ');
    }),
  ]);
}

async function outcome(run: () => Promise<string>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error: unknown) {
    const failure = RpcError.from(error);
    return { code: failure.code, reason: authFailureReason(failure), message: failure.rawMessage };
  }
}

/** Four times the same outcome: what `callEveryMode` returns when every mode behaves alike. */
export function everyMode(expected: Outcome): Outcome[] {
  return [expected, expected, expected, expected];
}
