import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { BidiStreamingMethod, ClientStreamingMethod, ServerStreamingMethod, UnaryMethod } from '../decorators/method.js';
import { Service } from '../decorators/service.js';
import type { Unary } from '../definition.js';
import { defineService, ProtoSet } from '../protos/proto-set.js';
import { Status } from '../status.js';
import { EchoService, OtherService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';
import { createApp } from './app.js';
import { StartupError } from './startup-error.js';

const protoDir = fileURLToPath(new URL('../test-support/protos', import.meta.url));
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', { includeDirs: [protoDir] });

async function startupError(services: (abstract new (...args: never[]) => unknown)[]): Promise<StartupError> {
  const app = createApp({ services, protos: [protos], shutdownSignals: [] });
  const error = await app.listen('127.0.0.1:0').then(
    () => app.close().then(() => undefined),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

describe('startup validation', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('binds a class by full service name, looked up in the app protos', async () => {
    @Service('wirekit.test.v1.OtherService')
    class Other {
      @UnaryMethod()
      ping(request: { message: string }) {
        return { message: `pong ${request.message}` };
      }
    }
    running = await startApp({ services: [Other], protos: [protos] });
    const client = running.client(
      defineService<{ Ping: Unary<{ message: string }, { message: string }> }>(protos, 'wirekit.test.v1.OtherService'),
    );
    await expect(client.ping({ message: 'x' })).resolves.toMatchObject({ message: 'pong x' });
  });

  it('names the class, the service and the fix for an unknown service', async () => {
    @Service('wirekit.test.v1.EchoServise')
    class Misspelt {}
    const error = await startupError([Misspelt]);
    expect(error.message).toContain('Misspelt is bound to service "wirekit.test.v1.EchoServise", which no loaded proto defines');
    expect(error.message).toContain('loaded: wirekit.test.v1.EchoService, wirekit.test.v1.OtherService');
    expect(error.message).toContain('fix the name in @Service(...)');
  });

  it('names the class, the method, the service and the fix for an unknown rpc', async () => {
    @Service('wirekit.test.v1.OtherService')
    class Other {
      @UnaryMethod() ping() {}
      @UnaryMethod() pong() {}
    }
    const error = await startupError([Other]);
    expect(error.problems).toEqual([
      'Other.pong is bound to rpc "Pong", which wirekit.test.v1.OtherService does not define (its rpcs: Ping); name the method after one of them (ping) or pass the rpc\'s generated definition: @UnaryMethod(Service.methods.Rpc)',
    ]);
  });

  it('names the class, the method, the rpc and the right decorator for a mode mismatch', async () => {
    @Service('wirekit.test.v1.EchoService', { allowUnimplemented: true })
    class WrongModes {
      @UnaryMethod() expand() {}
      @ServerStreamingMethod() async *collect() {}
    }
    const error = await startupError([WrongModes]);
    expect(error.problems).toEqual([
      'WrongModes.expand is declared @UnaryMethod but /wirekit.test.v1.EchoService/Expand is server_streaming in the proto; use @ServerStreamingMethod()',
      'WrongModes.collect is declared @ServerStreamingMethod but /wirekit.test.v1.EchoService/Collect is client_streaming in the proto; use @ClientStreamingMethod()',
    ]);
  });

  it('refuses an rpc bound twice', async () => {
    @Service(OtherService)
    class Twice {
      @UnaryMethod(OtherService.methods.Ping) first() {
        return {};
      }
      @UnaryMethod(OtherService.methods.Ping) second() {
        return {};
      }
    }
    const error = await startupError([Twice]);
    expect(error.message).toContain(
      '/wirekit.test.v1.OtherService/Ping is bound twice in Twice: by first and by second; remove one of the decorators',
    );
  });

  it("refuses a method bound to another service's rpc, naming both services", async () => {
    @Service(EchoService, { allowUnimplemented: true })
    class Crossed {
      @UnaryMethod(OtherService.methods.Ping) ping() {
        return {};
      }
    }
    const error = await startupError([Crossed]);
    expect(error.problems).toEqual([
      "Crossed.ping is bound to /wirekit.test.v1.OtherService/Ping, an rpc of another service than Crossed's wirekit.test.v1.EchoService; pass a definition of wirekit.test.v1.EchoService's rpcs to @UnaryMethod(...), or move the method to the class bound to wirekit.test.v1.OtherService",
    ]);
  });

  it('refuses an rpc named by a string where the compiler did not look, naming the class, the method and the fix', () => {
    const byName = UnaryMethod as unknown as (rpcName: string) => MethodDecorator;
    expect(() => {
      @Service(EchoService, { allowUnimplemented: true })
      class Untyped {
        @byName('Echo') find() {
          return {};
        }
      }
      return Untyped;
    }).toThrow(
      new TypeError(
        "Untyped.find: @UnaryMethod('Echo') names an rpc by a string, which cannot carry the rpc's types; pass its generated definition, @UnaryMethod(Service.methods.Echo), or name the method echo() and use @UnaryMethod()",
      ),
    );
  });

  it('binds a method to an rpc spelt in lower case by the same name, as the class check does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirekit-lower-rpc-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'lower.proto'),
      'syntax = "proto3";\npackage lower.v1;\nmessage Word { string text = 1; }\nservice Words { rpc shout(Word) returns (Word); }\n',
    );
    const lowerProtos = ProtoSet.load('lower.proto', { includeDirs: [dir] });
    @Service('lower.v1.Words')
    class Words {
      @UnaryMethod() shout(request: { text: string }) {
        return { text: request.text.toUpperCase() };
      }
    }
    running = await startApp({ services: [Words], protos: [lowerProtos] });
    const client = running.client(defineService<{ shout: Unary<{ text: string }, { text: string }> }>(lowerProtos, 'lower.v1.Words'));
    await expect(client.shout({ text: 'hey' })).resolves.toEqual({ text: 'HEY' });
  });

  it('refuses a service bound by two classes', async () => {
    @Service('wirekit.test.v1.OtherService')
    class One {
      @UnaryMethod() ping() {}
    }
    @Service('wirekit.test.v1.OtherService')
    class Two {
      @UnaryMethod() ping() {}
    }
    const error = await startupError([One, Two]);
    expect(error.message).toContain('service wirekit.test.v1.OtherService is bound by both One and Two; keep one');
  });

  it('refuses an rpc without a handler unless unimplemented rpcs are allowed, and then answers UNIMPLEMENTED', async () => {
    @Service('wirekit.test.v1.EchoService')
    class Partial {
      @UnaryMethod() echo() {
        return {};
      }
      @ClientStreamingMethod() async collect() {
        return {};
      }
    }
    const error = await startupError([Partial]);
    expect(error.problems).toEqual([
      '/wirekit.test.v1.EchoService/Expand has no handler in Partial; add a method expand() decorated with @ServerStreamingMethod(), or use @Service(…, { allowUnimplemented: true }) to answer UNIMPLEMENTED',
      '/wirekit.test.v1.EchoService/Chat has no handler in Partial; add a method chat() decorated with @BidiStreamingMethod(), or use @Service(…, { allowUnimplemented: true }) to answer UNIMPLEMENTED',
    ]);

    @Service(EchoService, { allowUnimplemented: true })
    class Allowed {
      @BidiStreamingMethod() async *chat() {}
    }
    running = await startApp({ services: [Allowed] });
    await expect(running.client(EchoService).echo({})).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    expect(running.app.servedServices).toEqual([
      {
        name: 'wirekit.test.v1.EchoService',
        owner: 'Allowed',
        rpcs: [
          { name: 'Echo', mode: 'unary', implemented: false },
          { name: 'Expand', mode: 'server_streaming', implemented: false },
          { name: 'Collect', mode: 'client_streaming', implemented: false },
          { name: 'Chat', mode: 'bidi_streaming', implemented: true },
        ],
      },
    ]);
  });

  it('refuses a class without @Service and an implementation object with a stray handler', async () => {
    class Undecorated {}
    const error = await startupError([Undecorated]);
    expect(error.message).toContain('Undecorated is listed in services but has no @Service(...) decorator');

    const app = createApp({ shutdownSignals: [] });
    app.addService(EchoService, { echo: () => ({}), pingg: () => ({}) } as never, { allowUnimplemented: true });
    await expect(app.listen('127.0.0.1:0')).rejects.toThrow(
      /the implementation has "pingg", which is no rpc of wirekit.test.v1.EchoService/,
    );
  });

  it('reports every problem at once, before anything listens', async () => {
    @Service('wirekit.test.v1.OtherService')
    class Broken {
      @ServerStreamingMethod() async *ping() {}
      @UnaryMethod() refund() {}
    }
    const error = await startupError([Broken]);
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/^Wirekit cannot start, 3 problems:/);
  });
});
