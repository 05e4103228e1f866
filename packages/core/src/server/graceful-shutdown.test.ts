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
import type { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { aborted, deferred, type RunningApp, startApp } from '../test-support/harness.js';

describe('graceful shutdown', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('lets an in-flight call finish while new calls are refused and health turns NOT_SERVING', async () => {
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
    const statuses: string[] = [];
    const watch = health.Watch({ service: '' });
    const servingSeen = deferred();
    const notServingSeen = deferred();
    watch.on('data', (response: { status: string }) => {
      statuses.push(response.status);
      if (response.status === 'SERVING') servingSeen.resolve();
      if (response.status === 'NOT_SERVING') notServingSeen.resolve();
    });
    watch.on('error', () => {});
    await servingSeen.promise;

    const client = running.client(EchoService);
    const inFlight = client.echo({ message: 'in flight' });
    await started.promise;
    const closing = running.app.close();
    await notServingSeen.promise;
    // A Watch stream is a call in flight too: it would hold the drain open until the grace period ends.
    watch.cancel();

    const late = createClient(EchoService, running.address);
    await expect(late.echo({ message: 'too late' }, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    closeClient(late);

    release.resolve();
    await expect(inFlight).resolves.toMatchObject({ message: 'finished in flight' });
    await closing;
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
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

  it('drains on SIGTERM and exits 0 (a real process)', async () => {
    const child = startChildServer();
    try {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const port = await new Promise<number>((resolve) => lines.once('line', (line) => resolve(Number(line))));
      const client = createClient(EchoService, `127.0.0.1:${port}`);
      const inFlight = client.echo({ message: 'slow' });
      // The child prints a line when the call has reached the handler.
      await new Promise((resolve) => lines.once('line', resolve));
      child.kill('SIGTERM');
      await expect(inFlight).resolves.toMatchObject({ message: 'done slow' });
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      closeClient(client);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

function healthClient(address: string) {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthStub } } };
  };
  return new definition.grpc.health.v1.Health(address, credentials.createInsecure());
}

interface HealthStub {
  Watch(request: { service: string }): NodeJS.EventEmitter & { cancel(): void };
  close(): void;
}

/** A server in its own process, built from the compiled package, whose handler takes 300 ms. */
function startChildServer(): ChildProcess {
  const core = new URL('../../dist/index.js', import.meta.url).href;
  const protoDir = fileURLToPath(new URL('../test-support/protos', import.meta.url));
  const script = fileURLToPath(new URL('../../dist/.sigterm-test-server.mjs', import.meta.url));
  writeFileSync(
    script,
    `import { createApp, defineService, ProtoSet } from ${JSON.stringify(core)};
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', { includeDirs: [${JSON.stringify(protoDir)}] });
const EchoService = defineService(protos, 'wirekit.test.v1.EchoService');
const app = createApp({ shutdownGraceMs: 5000 });
app.addService(EchoService, {
  echo: async (request) => {
    console.log('call started');
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { message: 'done ' + request.message };
  },
}, { allowUnimplemented: true });
const { port } = await app.listen('127.0.0.1:0');
console.log(port);
`,
  );
  return spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
}
