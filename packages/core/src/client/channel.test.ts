import { connect, createServer, type Server } from 'node:net';
import { connectivityState } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';
import { createChannel } from './channel.js';
import { closeClient, createClient } from './create-client.js';

async function namedServer(name: string): Promise<RunningApp> {
  return startApp({}, (app) =>
    app.addService(
      EchoService,
      { echo: (request) => ({ message: name, payload: new Uint8Array([request.payload.byteLength % 256]) }) },
      { allowUnimplemented: true },
    ),
  );
}

/** A TCP relay that counts the bytes the client sends, to see what really crosses the wire. */
async function countingRelay(targetPort: number): Promise<{ port: number; sent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const server: Server = createServer((incoming) => {
    const outgoing = connect(targetPort, '127.0.0.1');
    incoming.on('data', (chunk: Buffer) => {
      sent += chunk.byteLength;
    });
    incoming.pipe(outgoing).pipe(incoming);
    const destroyBoth = () => {
      incoming.destroy();
      outgoing.destroy();
    };
    incoming.on('error', destroyBoth).on('close', destroyBoth);
    outgoing.on('error', destroyBoth).on('close', destroyBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    sent: () => sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('channels', () => {
  const running: RunningApp[] = [];
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
  });

  it('spreads calls over every address with round_robin, and sticks to one with pick_first', async () => {
    const [a, b] = [await namedServer('a'), await namedServer('b')];
    running.push(a, b);
    const target = `ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`;
    const served = async (loadBalancing: 'round_robin' | 'pick_first') => {
      const channel = createChannel(target, { loadBalancing });
      const client = createClient(EchoService, channel);
      const names = new Set<string>();
      for (let index = 0; index < 20; index++) names.add((await client.echo({})).message);
      channel.close();
      return [...names].sort();
    };
    expect(await served('round_robin')).toEqual(['a', 'b']);
    expect((await served('pick_first')).length).toBe(1);
  });

  // A spread over a dns target's addresses is in dns-round-robin.test.ts: this machine's localhost has one address.
  it('resolves dns:/// targets', async () => {
    const server = await namedServer('dns');
    running.push(server);
    const client = createClient(EchoService, `dns:///localhost:${server.port}`, { loadBalancing: 'round_robin' });
    await expect(client.echo({})).resolves.toMatchObject({ message: 'dns' });
    closeClient(client);
  });

  it('compresses requests with gzip and deflate, which the server decompresses', async () => {
    const server = await namedServer('z');
    running.push(server);
    const payload = new Uint8Array(512 * 1024).fill(42);
    for (const compression of [undefined, 'gzip', 'deflate'] as const) {
      const relay = await countingRelay(server.port);
      const client = createClient(EchoService, `127.0.0.1:${relay.port}`, compression ? { compression } : {});
      const response = await client.echo({ payload });
      expect([...response.payload]).toEqual([payload.byteLength % 256]);
      closeClient(client);
      await relay.close();
      if (compression) expect(relay.sent()).toBeLessThan(32 * 1024);
      else expect(relay.sent()).toBeGreaterThan(payload.byteLength);
    }
  });

  it('applies server keepalive settings: an idle connection is closed after maxIdleMs', async () => {
    const server = await startApp({ keepalive: { maxIdleMs: 200 } }, (app) =>
      app.addService(EchoService, { echo: () => ({ message: 'awake' }) }, { allowUnimplemented: true }),
    );
    running.push(server);
    const channel = createChannel(server.address);
    const client = createClient(EchoService, channel);
    await client.echo({});
    const grpcChannel = channel.transport.getChannel();
    expect(grpcChannel.getConnectivityState(false)).toBe(connectivityState.READY);
    // The server's GOAWAY after maxIdleMs drops the channel out of READY.
    await new Promise<void>((resolve, reject) =>
      grpcChannel.watchConnectivityState(connectivityState.READY, Date.now() + 5_000, (error) => (error ? reject(error) : resolve())),
    );
    expect(grpcChannel.getConnectivityState(false)).not.toBe(connectivityState.READY);
    await expect(client.echo({})).resolves.toMatchObject({ message: 'awake' });
    channel.close();
  });
});
