import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type App,
  type BidiStreaming,
  BidiStreamingMethod,
  type CallContext,
  ClientStreamingMethod,
  defineService,
  Metadata,
  ProtoSet,
  type ServerMiddleware,
  ServerStreamingMethod,
  Service,
  Status,
  type Unary,
  UnaryMethod,
} from '@wirekit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { deferred } from '../../../core/src/test-support/harness.js';
import { createTestApp } from '../../../testing/src/create-test-app.js';
import { type Identity, identityKey } from '../shared/identity.js';
import { type AuthOptions, auth } from './auth.js';
import { Public, RequireRoles, RequireScopes } from './policy-decorators.js';
import {
  addWhoAmI,
  callEveryMode,
  describeCaller,
  type EchoRequest,
  EchoService,
  type ExpandRequest,
  type HandlerLog,
  OtherService,
  type RunningApp,
  startApp,
} from './test-support/who-am-i.js';

const token = (): string => randomBytes(24).toString('base64url');
const tokens = { nobody: token(), reader: token(), admin: token(), chatty: token() };
const apiTokens: AuthOptions['apiTokens'] = [
  { name: 'nobody', token: tokens.nobody },
  { name: 'reader', token: tokens.reader, scopes: ['echo'] },
  { name: 'admin', token: tokens.admin, scopes: ['echo'], roles: ['admin'] },
  { name: 'chatty', token: tokens.chatty, scopes: ['echo', 'chat'] },
];
const as = (name: keyof typeof tokens) => ({ metadata: new Metadata({ authorization: `Bearer ${tokens[name]}` }) });
const denied = (message: string) => ({
  code: Status.PERMISSION_DENIED,
  reason: expect.stringMatching(/^MISSING_(SCOPES|ROLES)$/) as string,
  message,
});
const anonymousRefused = { code: Status.UNAUTHENTICATED, reason: 'MISSING_CREDENTIALS', message: expect.any(String) as string };

/** The Echo service as a decorated class: the class requires scope "echo", each method adds or lifts. */
@Service(EchoService)
@RequireScopes('echo')
class GuardedEcho {
  @UnaryMethod()
  @Public()
  echo(_request: EchoRequest, ctx: CallContext) {
    return { message: describeCaller(ctx) };
  }

  @ServerStreamingMethod()
  async *expand(request: ExpandRequest, ctx: CallContext) {
    for (let index = 0; index < request.count; index++) yield { message: describeCaller(ctx) };
  }

  @ClientStreamingMethod()
  @RequireRoles('admin')
  async collect(requests: AsyncIterable<EchoRequest>, ctx: CallContext) {
    for await (const _request of requests);
    return { joined: describeCaller(ctx) };
  }

  @BidiStreamingMethod()
  @RequireScopes('chat')
  async *chat(requests: AsyncIterable<EchoRequest>, ctx: CallContext) {
    for await (const _request of requests) yield { message: describeCaller(ctx) };
  }
}

/** A service public as a whole, with one method that still requires a scope. */
@Service(EchoService)
@Public()
class MostlyPublicEcho extends GuardedEcho {}

describe('auth: per-method policy', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('applies the decorators: class requirements, method requirements added, a public method, in all four modes', async () => {
    running = await startApp({ services: [GuardedEcho], middleware: [auth({ apiTokens })] });
    const client = running.client(EchoService);
    expect(await callEveryMode(client)).toEqual([{ ok: 'anonymous' }, anonymousRefused, anonymousRefused, anonymousRefused]);
    expect(await callEveryMode(client, as('nobody'))).toEqual([
      { ok: 'anonymous' }, // public: not even authenticated, so the handler sees no identity
      denied('nobody lacks the scope "echo" this method requires'),
      denied('nobody lacks the scope "echo" and the role "admin" this method requires'),
      denied('nobody lacks the scopes "echo", "chat" this method requires'),
    ]);
    expect(await callEveryMode(client, as('admin'))).toEqual([
      { ok: 'anonymous' },
      { ok: 'admin api-token' },
      { ok: 'admin api-token' },
      denied('admin lacks the scope "chat" this method requires'),
    ]);
    expect(await callEveryMode(client, as('chatty'))).toEqual([
      { ok: 'anonymous' },
      { ok: 'chatty api-token' },
      denied('chatty lacks the role "admin" this method requires'),
      { ok: 'chatty api-token' },
    ]);
  });

  it('lets a public method through even with a bad token: public methods skip authentication', async () => {
    running = await startApp({ services: [GuardedEcho], middleware: [auth({ apiTokens })] });
    const client = running.client(EchoService);
    const bad = { metadata: new Metadata({ authorization: 'Bearer not-a-token-we-know' }) };
    expect((await callEveryMode(client, bad))[0]).toEqual({ ok: 'anonymous' });
  });

  it('never makes public a method that requires something: a contradiction fails closed', async () => {
    @Service(EchoService, { allowUnimplemented: true })
    class Contradiction {
      @UnaryMethod()
      @Public()
      @RequireScopes('echo')
      echo() {
        return { message: 'served' };
      }
    }
    running = await startApp({
      services: [Contradiction],
      middleware: [auth({ apiTokens, policy: { '/wirekit.test.v1.EchoService/Echo': { public: true } } })],
    });
    const client = running.client(EchoService);
    await expect(client.echo({})).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect((await client.echo({}, as('reader'))).message).toBe('served');
  });

  it('makes a whole class public with @Public() on it, except where a method (or its class) requires more', async () => {
    running = await startApp({ services: [MostlyPublicEcho], middleware: [auth({ apiTokens })] });
    const client = running.client(EchoService);
    // MostlyPublicEcho inherits GuardedEcho's handlers, but class decorators are per class: its own @Public()
    // and no @RequireScopes('echo'). Collect and Chat keep their method-level requirements.
    expect(await callEveryMode(client)).toEqual([{ ok: 'anonymous' }, { ok: 'anonymous' }, anonymousRefused, anonymousRefused]);
    expect(await callEveryMode(client, as('chatty'))).toEqual([
      { ok: 'anonymous' },
      { ok: 'anonymous' },
      denied('chatty lacks the role "admin" this method requires'),
      { ok: 'chatty api-token' },
    ]);
  });

  it('applies the most specific configured policy: method path, then service, then package prefix, then *', async () => {
    const policy: AuthOptions['policy'] = {
      '*': { roles: ['admin'] },
      'wirekit.*': { scopes: ['chat'] },
      'wirekit.test.v1.EchoService': { scopes: ['echo'] },
      '/wirekit.test.v1.EchoService/Echo': { public: true },
    };
    running = await startApp({ middleware: [auth({ apiTokens, policy })] }, (app) => {
      addWhoAmI(app);
      app.addService(OtherService, { ping: (_request, ctx) => ({ message: describeCaller(ctx) }) });
    });
    const echo = running.client(EchoService);
    const other = running.client(OtherService);
    expect(await callEveryMode(echo, as('reader'))).toEqual([
      { ok: 'anonymous' },
      { ok: 'reader api-token' },
      { ok: 'reader api-token' },
      { ok: 'reader api-token' },
    ]);
    await expect(other.ping({}, as('reader'))).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      rawMessage: 'reader lacks the scope "chat" this method requires',
    });
    expect((await other.ping({}, as('chatty'))).message).toBe('chatty api-token');
  });

  it('adds configured requirements to the decorators', async () => {
    running = await startApp({
      services: [GuardedEcho],
      middleware: [auth({ apiTokens, policy: { 'wirekit.test.v1.EchoService': { roles: ['admin'] } } })],
    });
    const client = running.client(EchoService);
    expect(await callEveryMode(client, as('chatty'))).toEqual([
      denied('chatty lacks the role "admin" this method requires'),
      denied('chatty lacks the role "admin" this method requires'),
      denied('chatty lacks the role "admin" this method requires'),
      denied('chatty lacks the role "admin" this method requires'),
    ]);
  });

  it('refuses policy keys it cannot match, and empty names, at startup', () => {
    expect(() => auth({ apiTokens, policy: { 'EchoService/Echo': {} } })).toThrow(/is not a method path/);
    expect(() => auth({ apiTokens, policy: { 'wirekit.*.v1': {} } })).toThrow(/is not a method path/);
    expect(() => auth({ apiTokens, policy: { '*': { scopes: [''] } } })).toThrow(/empty scope or role name/);
    // @ts-expect-error: at least one scope
    expect(() => RequireScopes()).toThrow(/needs one or more non-empty names/);
  });
});

describe('auth: enforced before a streaming handler runs', () => {
  it('refuses unauthenticated client-streaming and bidi calls without calling the handler, while the stream is still open', async () => {
    const log: HandlerLog = { called: [], received: [] };
    const running = await startApp({ middleware: [auth({ apiTokens })] }, (app) => addWhoAmI(app, log));
    onTestFinished(() => running.close());
    const client = running.client(EchoService);
    const release = deferred();
    onTestFinished(() => release.resolve());
    // The client sends one message, then keeps its stream open: the refusal cannot be waiting for the end.
    async function* openStream() {
      yield { message: 'first' };
      await release.promise;
      yield { message: 'never sent before the refusal' };
    }
    await expect(client.collect(openStream(), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(
      (async () => {
        for await (const _reply of client.chat(openStream(), { timeoutMs: 10_000 }));
      })(),
    ).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect(log).toEqual({ called: [], received: [] });
  });
});

describe('auth: an identity already in the context', () => {
  const preset: Identity = { subject: 'test-user', method: 'test', scopes: ['echo'], roles: [], claims: {} };

  it('is accepted as it is, and only the policy is applied (over TCP, set by an outer middleware)', async () => {
    const presetIdentity: ServerMiddleware = async function* presetIdentity(call, next) {
      call.context.set(identityKey, preset);
      return yield* next(call);
    };
    const running = await startApp({ services: [GuardedEcho], middleware: [presetIdentity, auth({ apiTokens })] });
    onTestFinished(() => running.close());
    const client = running.client(EchoService);
    // No credentials sent: the identity in the context stands, even when a (wrong) token is sent.
    const expected = [
      { ok: 'test-user test' }, // a public method skips authentication, but the identity was already there
      { ok: 'test-user test' },
      denied('test-user lacks the role "admin" this method requires'),
      denied('test-user lacks the scope "chat" this method requires'),
    ];
    expect(await callEveryMode(client)).toEqual(expected);
    expect(await callEveryMode(client, { metadata: new Metadata({ authorization: 'Bearer wrong-token-value' }) })).toEqual(expected);
  });

  it('is how a test with createTestApp({ callContext }) skips minting tokens', async () => {
    const testApp = await createTestApp({
      services: [GuardedEcho],
      middleware: [auth({ apiTokens })],
      callContext: (ctx) => ctx.set(identityKey, preset),
      cleanup: onTestFinished,
    });
    const client = testApp.client(EchoService);
    expect((await collectMessages(client.expand({ count: 1 })))[0]).toBe('test-user test');
    await expect(client.collect([{}])).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });
});

async function collectMessages(replies: AsyncIterable<{ message: string }>): Promise<string[]> {
  const messages: string[] = [];
  for await (const reply of replies) messages.push(reply.message);
  return messages;
}

// Minimal copies of the standard health and reflection protos (same packages, names and field numbers), so
// the test talks to them with Wirekit's own client.
const HEALTH_PROTO = `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { ServingStatus status = 1; }
enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
`;
const REFLECTION_PROTO = `syntax = "proto3";
package grpc.reflection.v1;
message ServerReflectionRequest { string host = 1; string list_services = 7; }
message ServerReflectionResponse { string valid_host = 1; ListServiceResponse list_services_response = 6; }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
service ServerReflection { rpc ServerReflectionInfo(stream ServerReflectionRequest) returns (stream ServerReflectionResponse); }
`;

interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: string;
}
interface ReflectionRequest {
  host: string;
  listServices: string;
}
interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
}

describe('auth: health and reflection', () => {
  let dir: string;
  let Health: ReturnType<typeof defineService<{ Check: Unary<HealthCheckRequest, HealthCheckResponse> }>>;
  let Reflection: ReturnType<typeof defineService<{ ServerReflectionInfo: BidiStreaming<ReflectionRequest, ReflectionResponse> }>>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wirekit-auth-protos-'));
    writeFileSync(join(dir, 'health.proto'), HEALTH_PROTO);
    writeFileSync(join(dir, 'reflection.proto'), REFLECTION_PROTO);
    const protos = ProtoSet.load(['health.proto', 'reflection.proto'], { includeDirs: [dir] });
    Health = defineService(protos, 'grpc.health.v1.Health');
    Reflection = defineService(protos, 'grpc.reflection.v1.ServerReflection');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cannot guard the health and reflection services createApp serves: grpc-js answers them without any middleware', async () => {
    const seen: string[] = [];
    const spy: ServerMiddleware = async function* spy(call, next) {
      seen.push(call.method.path);
      return yield* next(call);
    };
    // Even configured as non-public, they answer without credentials: no middleware ever sees those calls.
    const policy = { 'grpc.health.v1.Health': { public: false }, 'grpc.reflection.*': { scopes: ['admin'] } };
    const running = await startApp({ health: true, reflection: true, middleware: [spy, auth({ apiTokens, policy })] }, (app) =>
      addWhoAmI(app),
    );
    onTestFinished(() => running.close());
    const health = running.client(Health);
    expect(await health.check({ service: '' })).toEqual({ status: 'SERVING' });
    const reflection = running.client(Reflection);
    const [listed] = await collectReplies(reflection.serverReflectionInfo([{ listServices: '*' }]));
    expect(listed?.listServicesResponse?.service.map((service) => service.name)).toContain('wirekit.test.v1.EchoService');
    expect(seen).toEqual([]);
    // While the app's own services are guarded.
    await expect(running.client(EchoService).echo({})).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect(seen).toEqual(['/wirekit.test.v1.EchoService/Echo']);
  });

  it('treats a health service bound through Wirekit as public by default, and guards it when configured so', async () => {
    const bindHealth = (app: App) => app.addService(Health, { check: () => ({ status: 'SERVING' }) });
    const open = await startApp({ middleware: [auth({ apiTokens })] }, bindHealth);
    onTestFinished(() => open.close());
    expect(await open.client(Health).check({ service: '' })).toEqual({ status: 'SERVING' });

    const guarded = await startApp(
      { middleware: [auth({ apiTokens, policy: { 'grpc.health.v1.Health': { public: false } } })] },
      bindHealth,
    );
    onTestFinished(() => guarded.close());
    await expect(guarded.client(Health).check({ service: '' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect(await guarded.client(Health).check({ service: '' }, as('nobody'))).toEqual({ status: 'SERVING' });
  });
});

async function collectReplies<T>(replies: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const reply of replies) items.push(reply);
  return items;
}
