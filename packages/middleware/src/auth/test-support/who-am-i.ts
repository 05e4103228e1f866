import {
  type App,
  type AppOptions,
  type CallContext,
  type CallOptions,
  type Client,
  type ClientOptions,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  RpcError,
} from '@wirekit/core';
import type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest } from '../../../../core/src/test-support/echo.generated.js';
import { identityKey } from '../../shared/identity.js';
import { EchoService, OtherService } from '../../test-support/echo-service.js';
import { authFailureReason } from '../auth-error.js';

export type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest };
export { EchoService, OtherService };

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
