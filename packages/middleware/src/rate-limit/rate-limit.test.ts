import {
  type App,
  type AppOptions,
  BidiStreamingMethod,
  ClientStreamingMethod,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  RpcError,
  type ServerMiddleware,
  ServerStreamingMethod,
  Service,
  Status,
  UnaryMethod,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest } from '../../../core/src/test-support/echo.generated.js';
import { createRecordingLogger } from '../../../core/src/test-support/harness.js';
import { identityKey } from '../shared/identity.js';
import { EchoService } from '../test-support/echo-service.js';
import { rateLimit } from './rate-limit.js';
import { RateLimit } from './rate-limit-option.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** The core's test service, loaded through `@wirekit/core` like the middleware, so decorators and method options come from one copy of core. */

/** Every mode of the echo service, counting the request messages its handlers read. */
function echoHandlers(seen: { messages: number } = { messages: 0 }) {
  return {
    echo: (request: EchoRequest) => ({ message: request.message }),
    async *expand(request: ExpandRequest) {
      for (let index = 0; index < request.count; index++) yield { message: `${request.message}-${index}` };
    },
    collect: async (requests: AsyncIterable<EchoRequest>) => {
      let count = 0;
      for await (const _request of requests) {
        seen.messages++;
        count++;
      }
      return { count };
    },
    async *chat(requests: AsyncIterable<EchoRequest>) {
      for await (const request of requests) {
        seen.messages++;
        yield { message: request.message };
      }
    },
  };
}

async function serve(options: AppOptions, configure?: (app: App) => void): Promise<string> {
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), ...options });
  configure?.(app);
  const { address } = await app.listen('127.0.0.1:0');
  onTestFinished(() => app.close({ graceMs: 0 }));
  return address;
}

function echoClient(address: string) {
  const client = createClient(EchoService, address);
  onTestFinished(() => closeClient(client));
  return client;
}

async function failure(work: Promise<unknown>): Promise<RpcError> {
  const thrown = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!RpcError.is(thrown)) throw new Error(`expected the call to fail with an RpcError, got ${String(thrown)}`);
  return thrown;
}

async function drain(source: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _item of source) count++;
  return count;
}

/** Sets the caller's identity from the `x-user` header, as the auth middleware would. */
const asCaller: ServerMiddleware = async function* asCaller(call, next) {
  const subject = call.context.metadata.get('x-user');
  if (subject) call.context.set(identityKey, { subject, method: 'test', scopes: [], roles: [], claims: {} });
  return yield* next(call);
};

describe('rateLimit', () => {
  it('refuses the call over the limit with RetryInfo and QuotaFailure, and lets it through once a token refills', async () => {
    let now = 0;
    const address = await serve({ middleware: [rateLimit({ limit: '2/min', clock: () => now })] }, (app) =>
      app.addService(EchoService, echoHandlers()),
    );
    const client = echoClient(address);
    await client.echo({ message: 'a' });
    now += 10_000;
    await client.echo({ message: 'b' });
    const refused = await failure(client.echo({ message: 'c' }));
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.rawMessage).toBe('rate limit of 2/min exceeded for /wirekit.test.v1.EchoService/Echo');
    // Two per minute is one token every 30 s; the first was spent at 0, so the next is due at 30 s.
    expect(refused.findDetails('google.rpc.RetryInfo')).toEqual([{ type: 'google.rpc.RetryInfo', retryDelay: { seconds: 20, nanos: 0 } }]);
    expect(refused.findDetails('google.rpc.QuotaFailure')).toEqual([
      {
        type: 'google.rpc.QuotaFailure',
        violations: [
          expect.objectContaining({
            subject: 'method:/wirekit.test.v1.EchoService/Echo',
            description: 'at most 2/min for /wirekit.test.v1.EchoService/Echo',
            quotaValue: 2n,
          }),
        ],
      },
    ]);
    now += 19_999;
    expect((await failure(client.echo({}))).findDetails('google.rpc.RetryInfo')[0]?.retryDelay).toEqual({ seconds: 0, nanos: 1_000_000 });
    now += 1;
    expect((await client.echo({ message: 'd' })).message).toBe('d');
  });

  it('gives each method its own bucket', async () => {
    const address = await serve({ middleware: [rateLimit({ limit: '1/min', clock: () => 0 })] }, (app) =>
      app.addService(EchoService, echoHandlers()),
    );
    const client = echoClient(address);
    await client.echo({});
    expect(await drain(client.expand({ count: 1 }))).toBe(1);
    expect((await failure(client.echo({}))).code).toBe(Status.RESOURCE_EXHAUSTED);
  });

  it('takes a method limit from its decorator, the class decorator, configuration (which wins) or the default', async () => {
    @Service(EchoService)
    @RateLimit({ limit: '2/min' })
    class Limited {
      @RateLimit({ limit: '1/min' })
      @UnaryMethod()
      echo(request: EchoRequest): Partial<EchoResponse> {
        return { message: request.message };
      }
      @ServerStreamingMethod()
      async *expand(request: ExpandRequest): AsyncGenerator<Partial<EchoResponse>> {
        yield { message: request.message };
      }
      @RateLimit({ limit: '1/min' })
      @ClientStreamingMethod()
      async collect(requests: AsyncIterable<EchoRequest>): Promise<Partial<CollectResponse>> {
        return { count: await drain(requests) };
      }
      @RateLimit({ limit: 'unlimited' })
      @BidiStreamingMethod()
      async *chat(requests: AsyncIterable<EchoRequest>): AsyncGenerator<Partial<EchoResponse>> {
        for await (const request of requests) yield { message: request.message };
      }
    }
    const limiter = rateLimit({ limit: '100/s', methods: { '/wirekit.test.v1.EchoService/Collect': '3/min' }, clock: () => 0 });
    const address = await serve({ services: [Limited], middleware: [limiter] });
    const client = echoClient(address);
    const allowedCalls = async (call: () => Promise<unknown>): Promise<number> => {
      for (let made = 0; made < 10; made++) {
        const error = await call().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        if (error) {
          expect(RpcError.from(error).code).toBe(Status.RESOURCE_EXHAUSTED);
          return made;
        }
      }
      return 10;
    };
    expect(await allowedCalls(() => client.echo({}))).toBe(1); // its own decorator
    expect(await allowedCalls(() => drain(client.expand({})))).toBe(2); // the class's decorator
    expect(await allowedCalls(() => client.collect([]))).toBe(3); // configuration beats its decorator
    expect(await allowedCalls(() => drain(client.chat([{}])))).toBe(10); // exempt
  });

  it('refuses a limit it cannot read, or a configured method that is not a full path, at startup', () => {
    expect(() => rateLimit({ limit: '100 per second' })).toThrow(`rate limit "100 per second" is not a count per period`);
    expect(() => rateLimit({ limit: '1/s', methods: { Charge: '1/s' } })).toThrow('"Charge" is not a full method path');
    expect(() => RateLimit({ limit: '5/fortnight' })).toThrow(RangeError);
  });

  describe('keys', () => {
    it('counts each identity on its own, and anonymous callers by address', async () => {
      const address = await serve({ middleware: [asCaller, rateLimit({ limit: '1/min', key: 'identity', clock: () => 0 })] }, (app) =>
        app.addService(EchoService, echoHandlers()),
      );
      const client = echoClient(address);
      await client.echo({}, { metadata: { 'x-user': 'alice' } });
      const refused = await failure(client.echo({}, { metadata: { 'x-user': 'alice' } }));
      expect(refused.findDetails('google.rpc.QuotaFailure')[0]?.violations[0]?.subject).toBe('identity:alice');
      await client.echo({}, { metadata: { 'x-user': 'bob' } });
      await client.echo({});
      expect((await failure(client.echo({}))).findDetails('google.rpc.QuotaFailure')[0]?.violations[0]?.subject).toBe('peer:127.0.0.1');
    });

    it('counts by peer address, whatever the connection', async () => {
      const address = await serve({ middleware: [rateLimit({ limit: '1/min', key: 'peer', clock: () => 0 })] }, (app) =>
        app.addService(EchoService, echoHandlers()),
      );
      await echoClient(address).echo({});
      // A second channel is a new connection from another port, but the same caller.
      const refused = await failure(echoClient(address).echo({}));
      expect(refused.findDetails('google.rpc.QuotaFailure')[0]?.violations[0]?.subject).toBe('peer:127.0.0.1');
    });

    it('counts by a metadata value without echoing it back', async () => {
      const address = await serve({ middleware: [rateLimit({ limit: '1/min', key: { metadata: 'x-api-key' }, clock: () => 0 })] }, (app) =>
        app.addService(EchoService, echoHandlers()),
      );
      const client = echoClient(address);
      await client.echo({}, { metadata: { 'x-api-key': 'key-one-secret' } });
      await client.echo({}, { metadata: { 'x-api-key': 'key-two-secret' } });
      const refused = await failure(client.echo({}, { metadata: { 'x-api-key': 'key-one-secret' } }));
      expect(refused.findDetails('google.rpc.QuotaFailure')[0]?.violations[0]?.subject).toBe('metadata:x-api-key');
      expect(JSON.stringify(refused.details, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(
        'secret',
      );
    });

    it('counts by a function of the call', async () => {
      const byTenant = rateLimit({
        limit: '1/min',
        key: (call) => `tenant:${call.context.metadata.get('x-tenant') ?? 'none'}`,
        clock: () => 0,
      });
      const address = await serve({ middleware: [byTenant] }, (app) => app.addService(EchoService, echoHandlers()));
      const client = echoClient(address);
      await client.echo({}, { metadata: { 'x-tenant': 'acme' } });
      await client.echo({}, { metadata: { 'x-tenant': 'globex' } });
      const refused = await failure(client.echo({}, { metadata: { 'x-tenant': 'acme' } }));
      expect(refused.findDetails('google.rpc.QuotaFailure')[0]?.violations[0]?.subject).toBe('tenant:acme');
    });
  });

  describe('streams', () => {
    it('counts a stream once per call, however many messages it carries, in every streaming mode', async () => {
      const seen = { messages: 0 };
      const address = await serve({ middleware: [rateLimit({ limit: '2/min', clock: () => 0 })] }, (app) =>
        app.addService(EchoService, echoHandlers(seen)),
      );
      const client = echoClient(address);
      const many = Array.from({ length: 5 }, (_, index) => ({ message: `m${index}` }));
      expect(await drain(client.expand({ count: 5 }))).toBe(5);
      expect(await drain(client.expand({ count: 5 }))).toBe(5);
      expect((await failure(drain(client.expand({ count: 5 })))).code).toBe(Status.RESOURCE_EXHAUSTED);
      expect((await client.collect(many)).count).toBe(5);
      expect((await client.collect(many)).count).toBe(5);
      expect((await failure(client.collect(many))).code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(await drain(client.chat(many))).toBe(5);
      expect(await drain(client.chat(many))).toBe(5);
      expect((await failure(drain(client.chat(many)))).code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(seen.messages).toBe(20);
    });

    it('with perMessage, lets each request message take a token and ends the stream when they run out', async () => {
      const seen = { messages: 0 };
      const address = await serve({ middleware: [rateLimit({ limit: '4/min', perMessage: true, clock: () => 0 })] }, (app) =>
        app.addService(EchoService, echoHandlers(seen)),
      );
      const client = echoClient(address);
      const five = Array.from({ length: 5 }, (_, index) => ({ message: `m${index}` }));
      // The call takes one token and each message one more: of four, three messages get through.
      const refused = await failure(client.collect(five));
      expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(refused.rawMessage).toBe('rate limit of 4/min exceeded for the request messages of /wirekit.test.v1.EchoService/Collect');
      expect(refused.findDetails('google.rpc.RetryInfo')).toHaveLength(1);
      expect(seen.messages).toBe(3);

      const replies: string[] = [];
      const chatFailure = await failure(
        (async () => {
          for await (const reply of client.chat(five)) replies.push(reply.message);
        })(),
      );
      expect(chatFailure.code).toBe(Status.RESOURCE_EXHAUSTED);
      // The bucket (per method) of Chat is fresh: its first three messages were answered before the refusal.
      expect(replies).toEqual(['m0', 'm1', 'm2']);
    });

    it('with perMessage from a decorator, leaves single-request calls at one token', async () => {
      @Service(EchoService, { allowUnimplemented: true })
      @RateLimit({ limit: '2/min', perMessage: true })
      class PerMessage {
        @ServerStreamingMethod()
        async *expand(request: ExpandRequest): AsyncGenerator<Partial<EchoResponse>> {
          for (let index = 0; index < request.count; index++) yield { message: `${index}` };
        }
      }
      const address = await serve({ services: [PerMessage], middleware: [rateLimit({ limit: 'unlimited', clock: () => 0 })] });
      const client = echoClient(address);
      expect(await drain(client.expand({ count: 3 }))).toBe(3);
      expect(await drain(client.expand({ count: 3 }))).toBe(3);
      expect((await failure(drain(client.expand({ count: 3 })))).code).toBe(Status.RESOURCE_EXHAUSTED);
    });
  });

  describe('when the store fails', () => {
    const broken: RateLimitStore = {
      take: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.1:6379'), { code: 'ECONNREFUSED' })),
    };

    it('fails open: lets calls through and warns once, without the error message', async () => {
      const logger = createRecordingLogger();
      const address = await serve({ middleware: [rateLimit({ limit: '1/min', store: broken, failOpen: true, logger })] }, (app) =>
        app.addService(EchoService, echoHandlers()),
      );
      const client = echoClient(address);
      for (let call = 0; call < 3; call++) expect((await client.echo({ message: `${call}` })).message).toBe(`${call}`);
      expect(logger.entries).toEqual([
        {
          level: 'warn',
          fields: { method: '/wirekit.test.v1.EchoService/Echo', failOpen: true, error: { name: 'Error', code: 'ECONNREFUSED' } },
          message: 'rate limit store unavailable: failing open, calls are let through without a limit until it recovers',
        },
      ]);
      expect(JSON.stringify(logger.entries)).not.toContain('hunter2');
    });

    it('fails closed: refuses calls with UNAVAILABLE, and says so when the store is back', async () => {
      const logger = createRecordingLogger();
      let down = true;
      const flaky: RateLimitStore = {
        take: (key, limit, cost) =>
          down ? broken.take(key, limit, cost) : Promise.resolve({ allowed: true, remaining: 0, retryAfterMs: 0 }),
      };
      const address = await serve({ middleware: [rateLimit({ limit: '1/min', store: flaky, failOpen: false, logger })] }, (app) =>
        app.addService(EchoService, echoHandlers()),
      );
      const client = echoClient(address);
      expect((await failure(client.echo({}))).code).toBe(Status.UNAVAILABLE);
      expect((await failure(client.echo({}))).rawMessage).toBe('the rate limiter is unavailable; try again later');
      down = false;
      await client.echo({});
      expect(logger.entries.map((entry) => [entry.level, entry.message])).toEqual([
        ['warn', 'rate limit store unavailable: failing closed, calls are refused with UNAVAILABLE until it recovers'],
        ['info', 'rate limit store available again: limits apply'],
      ]);
    });
  });
});
