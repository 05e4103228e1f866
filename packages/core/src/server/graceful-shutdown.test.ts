import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import { closeClient, createClient } from '../client/create-client.js';
import { Injectable } from '../decorators/injectable.js';
import { UnaryMethod } from '../decorators/method.js';
import { Service } from '../decorators/service.js';
import type { OnShutdown } from '../di/provider.js';
import type { MessageInit } from '../message-init.js';
import type { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { type EchoResponse, EchoService } from '../test-support/echo.generated.js';
import { aborted, deferred, type RunningApp, startApp } from '../test-support/harness.js';

describe('graceful shutdown', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('lets an in-flight call finish while new calls are refused and health turns NOT_SERVING, overall and per service', async () => {
    const started = deferred();
    const release = deferred();
    running = await startApp({ shutdownGraceMs: 10_000 }, (app) =>
      app.addService(
        EchoService,
        {
          echo: async (request) => {
            started.resolve();
            await release.promise;
            return { message: `finished ${request.message}` };
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const health = healthClient(running.address);
    const overall = watchHealth(health, '');
    const perService = watchHealth(health, EchoService.fullName);
    await Promise.all([overall.seen('SERVING'), perService.seen('SERVING')]);

    const client = running.client(EchoService);
    const inFlight = client.echo({ message: 'in flight' });
    await started.promise;
    const closing = running.app.close();
    await Promise.all([overall.seen('NOT_SERVING'), perService.seen('NOT_SERVING')]);
    // A Watch stream is a call in flight too: it would hold the drain open until the grace period ends.
    overall.cancel();
    perService.cancel();

    const late = createClient(EchoService, running.address);
    await expect(late.echo({ message: 'too late' }, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    closeClient(late);

    release.resolve();
    await expect(inFlight).resolves.toMatchObject({ message: 'finished in flight' });
    await closing;
    expect(overall.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(perService.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    health.close();
  });

  it('runs onShutdown hooks only after the call in flight has ended', async () => {
    const events: string[] = [];
    const started = deferred();
    const release = deferred();
    @Injectable()
    class Telemetry implements OnShutdown {
      onShutdown() {
        events.push('telemetry flushed');
      }
    }
    @Service(EchoService, { allowUnimplemented: true })
    class SlowHandlers {
      constructor(readonly telemetry: Telemetry) {}
      @UnaryMethod()
      async echo(): Promise<MessageInit<EchoResponse>> {
        events.push('call started');
        started.resolve();
        await release.promise;
        events.push('call answered');
        return { message: 'done' };
      }
    }
    running = await startApp({ services: [SlowHandlers], providers: [Telemetry], shutdownGraceMs: 10_000 });
    const health = healthClient(running.address);
    const overall = watchHealth(health, '');
    await overall.seen('SERVING');

    const inFlight = running.client(EchoService).echo({});
    await started.promise;
    const closing = running.app.close();
    // NOT_SERVING is set as the drain begins: a shutdown that ran its hooks first would have run them by now.
    await overall.seen('NOT_SERVING');
    overall.cancel();
    expect(events).toEqual(['call started']);

    release.resolve();
    await expect(inFlight).resolves.toMatchObject({ message: 'done' });
    await closing;
    expect(events).toEqual(['call started', 'call answered', 'telemetry flushed']);
    health.close();
  });

  it('aborts the signals of calls still running when the grace period is over', async () => {
    const seen = deferred<CallContext>();
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          echo: async (_request, ctx) => {
            seen.resolve(ctx);
            throw await aborted(ctx.signal);
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const call = running
      .client(EchoService)
      .echo({})
      .then(
        () => undefined,
        (error: unknown) => error as RpcError,
      );
    const ctx = await seen.promise;
    await running.app.close({ graceMs: 50 });
    expect(((await aborted(ctx.signal)) as RpcError).code).toBe(Status.CANCELLED);
    expect([Status.CANCELLED, Status.UNAVAILABLE]).toContain((await call)?.code);
    expect(running.app.callsInFlight).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s, a real process turns NOT_SERVING, refuses new calls, outlives repeated signals, lets the call in flight finish and exits 0',
    async (signal) => {
      const child = startChildServer();
      const exited = once(child, 'exit');
      const lines = linesOf(child.stdout as NodeJS.ReadableStream);
      const logLines = linesOf(child.stderr as NodeJS.ReadableStream);
      let health: HealthStub | undefined;
      try {
        const port = Number(await lines.next((line) => /^\d+$/.test(line)));
        const address = `127.0.0.1:${port}`;
        health = healthClient(address);
        const watch = watchHealth(health, '');

        await watch.seen('SERVING');
        const client = createClient(EchoService, address);
        const inFlight = client.echo({ message: 'slow' });
        await lines.next((line) => line === 'call started');
        child.kill(signal);
        await Promise.race([
          watch.seen('NOT_SERVING'),
          exited.then(([code, killedBy]) => {
            throw new Error(`the child exited (code ${code}, signal ${killedBy}) without draining`);
          }),
        ]);
        // A Watch stream is a call in flight too: it would hold the drain open until the grace period ends.
        watch.cancel();

        // Repeats (npm and the terminal each deliver one Ctrl-C) are logged and change nothing.
        for (const repeat of [signal, signal === 'SIGTERM' ? 'SIGINT' : 'SIGTERM'] as const) {
          child.kill(repeat);
          const logged = await Promise.race([
            logLines.next((line) => line.includes('already shutting down gracefully')),
            exited.then(([code, killedBy]): never => {
              throw new Error(`a repeated ${repeat} ended the drain: the child exited (code ${code}, signal ${killedBy})`);
            }),
          ]);
          expect(JSON.parse(logged)).toMatchObject({ signal: repeat, level: 'warn' });
        }

        const late = createClient(EchoService, address);
        await expect(late.echo({ message: 'too late' }, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
        closeClient(late);

        // The handler returns only when told to, so the call can only succeed by outliving the signal.
        child.stdin?.write('release\n');
        await expect(inFlight).resolves.toMatchObject({ message: 'done slow' });
        const [code, killedBy] = await exited;
        expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
        closeClient(client);
      } finally {
        health?.close();
        child.kill('SIGKILL');
      }
    },
  );
});

function healthClient(address: string): HealthStub {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthStub } } };
  };
  return new definition.grpc.health.v1.Health(address, credentials.createInsecure());
}

interface HealthStub {
  Watch(request: { service: string }): NodeJS.EventEmitter & { cancel(): void };
  close(): void;
}

/** A health Watch stream that remembers every status it was sent. */
function watchHealth(health: HealthStub, service: string) {
  const stream = health.Watch({ service });
  const statuses: string[] = [];
  const waiting = new Map<string, () => void>();
  stream.on('data', (response: { status: string }) => {
    statuses.push(response.status);
    waiting.get(response.status)?.();
  });
  stream.on('error', () => {});
  return {
    statuses,
    /** Resolves once the status has been sent, now or earlier. */
    seen(status: string): Promise<void> {
      if (statuses.includes(status)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(status, resolve));
    },
    cancel: () => stream.cancel(),
  };
}

/** The lines a child prints, awaited one condition at a time. */
function linesOf(output: NodeJS.ReadableStream) {
  const seen: string[] = [];
  const waiters: { matches: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: output }).on('line', (line) => {
    const waiter = waiters.find((candidate) => candidate.matches(line));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    } else {
      seen.push(line);
    }
  });
  return {
    next(matches: (line: string) => boolean): Promise<string> {
      const earlier = seen.findIndex(matches);
      if (earlier >= 0) return Promise.resolve(seen.splice(earlier, 1)[0] as string);
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
  };
}

/**
 * A server in its own process, built from the compiled package, with the app's default shutdown signals. Its
 * handler answers only when the test writes a line to the child's stdin.
 */
function startChildServer(): ChildProcess {
  const core = new URL('../../dist/index.js', import.meta.url).href;
  const protoDir = fileURLToPath(new URL('../test-support/protos', import.meta.url));
  const script = fileURLToPath(new URL('../../dist/.shutdown-signal-test-server.mjs', import.meta.url));
  writeFileSync(
    script,
    `import { createInterface } from 'node:readline';
import { createApp, defineService, ProtoSet } from ${JSON.stringify(core)};
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', { includeDirs: [${JSON.stringify(protoDir)}] });
const EchoService = defineService(protos, 'wirekit.test.v1.EchoService');
const released = new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const app = createApp({ shutdownGraceMs: 10000 });
app.addService(EchoService, {
  echo: async (request) => {
    console.log('call started');
    await released;
    return { message: 'done ' + request.message };
  },
}, { allowUnimplemented: true });
const { port } = await app.listen('127.0.0.1:0');
console.log(port);
`,
  );
  return spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
}
