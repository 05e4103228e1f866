import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import { readConstructorTokens } from '../decorators/decorator-metadata.js';
import { Inject, Injectable } from '../decorators/injectable.js';
import { UnaryMethod } from '../decorators/method.js';
import { Service } from '../decorators/service.js';
import { createApp } from '../server/app.js';
import { type EchoRequest, EchoService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';
import { Container, DependencyError } from './container.js';
import type { OnShutdown, OnStart } from './provider.js';
import { InjectionToken } from './token.js';

interface Clock {
  now(): number;
}
const CLOCK = new InjectionToken<Clock>('Clock');
const GREETING = new InjectionToken<string>('Greeting');

describe('dependency injection', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('records constructor parameter types under the test transform, as tsc does', () => {
    @Injectable()
    class Database {}
    @Injectable()
    class Repository {
      constructor(readonly database: Database) {}
    }
    expect(readConstructorTokens(Repository).tokens).toEqual([Database]);
  });

  it('constructs service classes with their dependencies, as singletons, including tokens for interfaces and values', async () => {
    const events: string[] = [];
    @Injectable()
    class Database {
      constructor() {
        events.push('database constructed');
      }
    }
    @Injectable()
    class Ledger {
      constructor(
        readonly database: Database,
        @Inject(CLOCK) readonly clock: Clock,
      ) {}
    }
    @Service(EchoService, { allowUnimplemented: true })
    class Greeter {
      constructor(
        private readonly ledger: Ledger,
        readonly database: Database,
        @Inject(GREETING) private readonly greeting: string,
      ) {}
      @UnaryMethod()
      echo(request: EchoRequest, _ctx: CallContext) {
        return { message: `${this.greeting} ${request.message}`, sequence: BigInt(this.ledger.clock.now()) };
      }
    }
    running = await startApp({
      services: [Greeter],
      providers: [
        Database,
        Ledger,
        { provide: CLOCK, useValue: { now: () => 42 } },
        { provide: GREETING, useFactory: async () => 'hello' },
      ],
    });
    const response = await running.client(EchoService).echo({ message: 'world' });
    expect(response).toMatchObject({ message: 'hello world', sequence: 42n });
    expect(events).toEqual(['database constructed']);
    const greeter = await running.app.get(Greeter);
    expect(greeter.database).toBe((await running.app.get(Ledger)).database);
  });

  // That onShutdown waits for a call still in flight is shown in graceful-shutdown.test.ts.
  it('runs onStart dependencies first and onShutdown in reverse', async () => {
    const events: string[] = [];
    @Injectable()
    class Pool implements OnStart, OnShutdown {
      onStart() {
        events.push('pool start');
      }
      async onShutdown() {
        events.push('pool shutdown');
      }
    }
    @Injectable()
    class Telemetry implements OnStart, OnShutdown {
      constructor(readonly pool: Pool) {}
      async onStart() {
        events.push('telemetry start');
      }
      onShutdown() {
        events.push('telemetry flush');
      }
    }
    @Service(EchoService, { allowUnimplemented: true })
    class Handlers implements OnStart {
      constructor(readonly telemetry: Telemetry) {}
      onStart() {
        events.push('handlers start');
      }
      @UnaryMethod() echo() {
        events.push('call');
        return {};
      }
    }
    running = await startApp({ services: [Handlers], providers: [Telemetry, Pool] });
    await running.client(EchoService).echo({});
    await running.close();
    running = undefined;
    expect(events).toEqual(['pool start', 'telemetry start', 'handlers start', 'call', 'telemetry flush', 'pool shutdown']);
  });

  it('lets a later provider replace an earlier one (how a test swaps in a fake)', async () => {
    const container = new Container([{ provide: GREETING, useValue: 'real' }]);
    container.register({ provide: GREETING, useValue: 'fake' });
    await expect(container.resolve(GREETING)).resolves.toBe('fake');
  });

  it('explains a missing provider, naming who needed it and the fix', async () => {
    @Injectable()
    class Missing {}
    @Service(EchoService, { allowUnimplemented: true })
    class NeedsMissing {
      constructor(readonly missing: Missing) {}
      @UnaryMethod() echo() {
        return {};
      }
    }
    const app = createApp({ services: [NeedsMissing], shutdownSignals: [] });
    await expect(app.listen('127.0.0.1:0')).rejects.toThrow(
      'no provider for Missing (needed by NeedsMissing); add it to createApp({ providers: [...] })',
    );
  });

  it('explains a parameter typed by an interface, and a cycle', async () => {
    @Injectable()
    class UsesInterface {
      constructor(readonly clock: Clock) {}
    }
    await expect(new Container([UsesInterface]).resolve(UsesInterface)).rejects.toThrow(
      /cannot inject parameter #1 of UsesInterface: its type is an interface.*@Inject\(token\)/,
    );

    const A = new InjectionToken<unknown>('A');
    const B = new InjectionToken<unknown>('B');
    const container = new Container([
      { provide: A, useFactory: (b: unknown) => ({ b }), inject: [B] },
      { provide: B, useFactory: (a: unknown) => ({ a }), inject: [A] },
    ]);
    await expect(container.resolve(A)).rejects.toThrow(DependencyError);
    await expect(container.resolve(A)).rejects.toThrow('dependency cycle: InjectionToken(A) → InjectionToken(B) → InjectionToken(A)');
  });

  it('resolves an alias to the same instance', async () => {
    @Injectable()
    class SystemClock implements Clock {
      now() {
        return 1;
      }
    }
    const container = new Container([SystemClock, { provide: CLOCK, useExisting: SystemClock }]);
    expect(await container.resolve(CLOCK)).toBe(await container.resolve(SystemClock));
  });
});
