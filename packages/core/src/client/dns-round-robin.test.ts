// First: grpc-js must load with its alternative resolver, the one that honours a target's DNS server.
import '../test-support/alternative-dns-resolver.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import { createSilentLogger } from '../logger.js';
import { createApp } from '../server/app.js';
import { EchoService } from '../test-support/echo.generated.js';
import { type LoopbackDnsServer, startLoopbackDnsServer } from '../test-support/loopback-dns-server.js';
import { createChannel } from './channel.js';
import { createClient } from './create-client.js';

// Why not `dns:///localhost:port`: this machine's /etc/hosts gives localhost one address (127.0.0.1), so the
// system resolver cannot show a spread. A DNS server of the test's own, named in the target, gives one name two
// addresses: 127.0.0.1 and ::1, each with a server on the same port.

describe('round_robin over a dns target', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('resolves one name to two addresses and spreads calls over both', async () => {
    const environment = await import('@grpc/grpc-js/build/src/environment.js');
    expect(environment.GRPC_NODE_USE_ALTERNATIVE_RESOLVER, 'grpc-js was loaded before the test could choose its resolver').toBe(true);

    const peers: string[] = [];
    const handlers = {
      echo: (_request: unknown, ctx: CallContext) => {
        peers.push(ctx.peer);
        return { message: 'ok' };
      },
    };
    const v4 = createApp({ shutdownSignals: [], logger: createSilentLogger() }).addService(EchoService, handlers, {
      allowUnimplemented: true,
    });
    const { port } = await v4.listen('127.0.0.1:0');
    cleanups.push(() => v4.close({ graceMs: 0 }));
    const v6 = createApp({ shutdownSignals: [], logger: createSilentLogger() }).addService(EchoService, handlers, {
      allowUnimplemented: true,
    });
    await v6.listen(`[::1]:${port}`);
    cleanups.push(() => v6.close({ graceMs: 0 }));
    const dns: LoopbackDnsServer = await startLoopbackDnsServer({ ipv4: ['127.0.0.1'], ipv6: ['::1'] });
    cleanups.push(() => dns.close());

    const channel = createChannel(`dns://${dns.address}/echo.wirekit.test:${port}`, { loadBalancing: 'round_robin' });
    cleanups.push(async () => channel.close());
    const client = createClient(EchoService, channel);
    for (let index = 0; index < 20; index++) await client.echo({});

    expect(dns.questions).toEqual(expect.arrayContaining(['A echo.wirekit.test', 'AAAA echo.wirekit.test']));
    // The server sees each call's source address: a call sent to ::1 comes from ::1, one sent to 127.0.0.1 from it.
    const hosts = peers.map((peer) => peer.slice(0, peer.lastIndexOf(':')).replace(/^\[|\]$/g, ''));
    expect(new Set(hosts)).toEqual(new Set(['127.0.0.1', '::1']));
  });
});
