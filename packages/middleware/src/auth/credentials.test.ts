import { randomBytes } from 'node:crypto';
import { Metadata, RpcError, type ServerMiddleware, Status } from '@wirekit/core';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred } from '../../../core/src/test-support/harness.js';
import { auth } from './auth.js';
import { credentials } from './credentials.js';
import { addWhoAmI, callEveryMode, EchoService, everyMode, type RunningApp, startApp } from './test-support/who-am-i.js';
import type { ProvidedToken } from './token-source.js';

/** A clock the test moves by hand: no test waits for time to pass. */
function manualClock(start = Date.UTC(2030, 0, 1)) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

describe('credentials (client middleware)', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** A server that records the authorization header of every call, and refuses the tokens in `revoked`. */
  async function recordingServer(revoked: ReadonlySet<string> = new Set()) {
    const headers: (string | undefined)[] = [];
    const record: ServerMiddleware = async function* record(call, next) {
      const header = call.context.metadata.get('authorization');
      headers.push(header);
      if (header !== undefined && revoked.has(header.replace('Bearer ', ''))) throw new RpcError(Status.UNAUTHENTICATED, 'revoked');
      return yield* next(call);
    };
    running = await startApp({ middleware: [record] }, (app) => addWhoAmI(app));
    return { headers, running };
  }

  /** A provider that hands out token-1, token-2… valid for `lifetimeMs` from the clock's now, counting calls. */
  function countingProvider(clock: { read(): number }, lifetimeMs = 60_000) {
    const provider = {
      calls: 0,
      fetch: async (): Promise<ProvidedToken> => {
        provider.calls++;
        return { token: `token-${provider.calls}`, expiresAt: clock.read() + lifetimeMs };
      },
    };
    return provider;
  }

  it('sends a fixed token with every call, accepted by the auth middleware in all four modes', async () => {
    const token = randomBytes(24).toString('base64url');
    running = await startApp({ middleware: [auth({ apiTokens: [{ name: 'ci', token }] })] }, (app) => addWhoAmI(app));
    const client = running.client(EchoService, { middleware: [credentials({ token })] });
    expect(await callEveryMode(client)).toEqual(everyMode({ ok: 'ci api-token' }));
  });

  it('caches the provided token, and refreshes it refreshMarginMs before it expires', async () => {
    const clock = manualClock();
    const provider = countingProvider(clock);
    const { headers, running } = await recordingServer();
    const client = running.client(EchoService, {
      middleware: [credentials({ tokenProvider: provider.fetch, refreshMarginMs: 10_000, clock: clock.read })],
    });
    await callEveryMode(client);
    expect(headers.splice(0)).toEqual(Array(4).fill('Bearer token-1'));
    clock.now += 49_999; // 10 s and 1 ms before expiry: still fresh
    await callEveryMode(client);
    expect(headers.splice(0)).toEqual(Array(4).fill('Bearer token-1'));
    clock.now += 1; // within the margin: refreshed
    await callEveryMode(client);
    expect(headers.splice(0)).toEqual(Array(4).fill('Bearer token-2'));
    expect(provider.calls).toBe(2);
  });

  it('shares one refresh between concurrent calls', async () => {
    const clock = manualClock();
    const gate = deferred();
    let calls = 0;
    const asked = deferred();
    const tokenProvider = async (): Promise<ProvidedToken> => {
      calls++;
      asked.resolve();
      await gate.promise;
      return { token: 'shared-token', expiresAt: clock.read() + 60_000 };
    };
    const { headers, running } = await recordingServer();
    const client = running.client(EchoService, { middleware: [credentials({ tokenProvider, clock: clock.read })] });
    const pending = Promise.all([callEveryMode(client), callEveryMode(client)]);
    await asked.promise;
    expect(headers).toEqual([]); // every call waits for the token
    gate.resolve();
    expect((await pending).flat()).toEqual(Array(8).fill({ ok: 'anonymous' }));
    expect(headers).toEqual(Array(8).fill('Bearer shared-token'));
    expect(calls).toBe(1);
  });

  it("uses a JWT's exp when the provider gives no expiresAt", async () => {
    const clock = manualClock();
    const key = randomBytes(32);
    let calls = 0;
    const tokenProvider = async (): Promise<ProvidedToken> => {
      calls++;
      const exp = Math.floor(clock.read() / 1000) + 120;
      return { token: await new SignJWT({ sub: `user-${calls}` }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(key) };
    };
    running = await startApp({ middleware: [auth({ jwt: { secret: key, algorithms: ['HS256'], clock: clock.read } })] }, (app) =>
      addWhoAmI(app),
    );
    const client = running.client(EchoService, {
      middleware: [credentials({ tokenProvider, refreshMarginMs: 30_000, clock: clock.read })],
    });
    expect(await callEveryMode(client)).toEqual(everyMode({ ok: 'user-1 jwt' }));
    clock.now += 89_000; // 31 s before exp
    expect(await callEveryMode(client)).toEqual(everyMode({ ok: 'user-1 jwt' }));
    clock.now += 1_000; // 30 s before exp: refreshed, before the server would refuse it
    expect(await callEveryMode(client)).toEqual(everyMode({ ok: 'user-2 jwt' }));
    expect(calls).toBe(2);
  });

  it('drops a token the server refuses with UNAUTHENTICATED, so the next call gets a new one', async () => {
    const clock = manualClock();
    const provider = countingProvider(clock, 3_600_000);
    const { headers, running } = await recordingServer(new Set(['token-1']));
    const client = running.client(EchoService, { middleware: [credentials({ tokenProvider: provider.fetch, clock: clock.read })] });
    await expect(client.echo({})).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect(await client.echo({ message: 'again' })).toMatchObject({ message: 'anonymous' });
    expect(headers).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('fails the call with UNAVAILABLE when the provider fails and there is no valid token, sending nothing', async () => {
    const clock = manualClock();
    let failing = true;
    let issued = 0;
    const tokenProvider = async (): Promise<ProvidedToken> => {
      if (failing) throw new Error('the identity provider is down');
      issued++;
      return { token: `token-${issued}`, expiresAt: clock.read() + 60_000 };
    };
    const { headers, running } = await recordingServer();
    const client = running.client(EchoService, {
      middleware: [credentials({ tokenProvider, refreshMarginMs: 10_000, clock: clock.read })],
    });
    const failure = await client.echo({}).catch((error: unknown) => RpcError.from(error));
    expect(failure).toMatchObject({ code: Status.UNAVAILABLE, rawMessage: 'the token provider failed; the call was not sent' });
    expect((failure as RpcError).cause).toMatchObject({ message: 'the identity provider is down' });
    expect(await callEveryMode(client)).toEqual(
      everyMode({ code: Status.UNAVAILABLE, reason: undefined, message: expect.any(String) as string }),
    );
    expect(headers).toEqual([]);

    failing = false; // back up: a token is fetched (not cached as a failure)
    expect((await client.echo({})).message).toBe('anonymous');
    failing = true;
    clock.now += 55_000; // stale (within the margin) but still valid: the refresh fails, the old token is sent
    expect((await client.echo({})).message).toBe('anonymous');
    clock.now += 5_000; // expired: nothing valid to send
    await expect(client.echo({})).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    expect(headers).toEqual(['Bearer token-1', 'Bearer token-1']);
    expect(issued).toBe(1);
  });

  it("keeps a call's own authorization header, without asking the provider", async () => {
    const clock = manualClock();
    const provider = countingProvider(clock);
    const { headers, running } = await recordingServer();
    const client = running.client(EchoService, { middleware: [credentials({ tokenProvider: provider.fetch, clock: clock.read })] });
    await client.echo({}, { metadata: new Metadata({ authorization: 'Bearer my-own' }) });
    expect(headers).toEqual(['Bearer my-own']);
    expect(provider.calls).toBe(0);
  });

  it('ends a call cancelled while its token is being fetched with CANCELLED', async () => {
    const gate = deferred<ProvidedToken>();
    const asked = deferred();
    const { headers, running } = await recordingServer();
    const client = running.client(EchoService, {
      middleware: [
        credentials({
          tokenProvider: () => {
            asked.resolve();
            return gate.promise;
          },
        }),
      ],
    });
    const controller = new AbortController();
    const call = client.echo({}, { signal: controller.signal });
    await asked.promise;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
    gate.resolve({ token: 'late-token' });
    expect(headers).toEqual([]);
  });

  it('refuses an empty fixed token at once', () => {
    expect(() => credentials({ token: '' })).toThrow(/non-empty token/);
  });
});
