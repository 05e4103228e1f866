import { readFileSync } from 'node:fs';
import { RpcError, Status } from '@wirekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEROP_CASES, type InteropCaseName, runInteropCase } from './interop-cases.js';
import { createInteropClients, type InteropClients } from './interop-clients.js';
import { TEST_CERTIFICATES } from './interop-server.js';
import { type RunningServer, SERVER_NAMES, SERVERS, type ServerName } from './test-support/interop-servers.js';

// The probe of the two client_compressed cases wants INVALID_ARGUMENT for an uncompressed request that says
// `expect_compressed: true`. Wirekit's server checks it; the plain grpc-js server cannot (grpc-js 1.14 hides
// whether a request was compressed from its handlers), so there the probe gets OK and these two cases fail; their
// `_noprobe` variants run the rest.
const PROBE_CASES = ['client_compressed_unary', 'client_compressed_streaming'] as const satisfies readonly InteropCaseName[];
const ALL_CASES = Object.keys(INTEROP_CASES) as InteropCaseName[];
const PASSING_CASES = {
  wirekit: ALL_CASES,
  'plain grpc-js': ALL_CASES.filter((name) => !(PROBE_CASES as readonly string[]).includes(name)),
} as const satisfies Record<ServerName, readonly InteropCaseName[]>;
const TLS_CASES = [
  'empty_unary',
  'large_unary',
  'client_compressed_unary_noprobe',
  'ping_pong',
  'cancel_after_first_response',
  'custom_metadata',
] as const satisfies readonly InteropCaseName[];

describe.each(SERVER_NAMES)('the interop cases against the %s server, in plaintext', (serverName) => {
  let server: RunningServer;
  let clients: InteropClients;
  beforeAll(async () => {
    server = await SERVERS[serverName](false);
    clients = createInteropClients(`127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it.each(PASSING_CASES[serverName])('%s passes', async (name) => {
    await runInteropCase(name, clients);
  });
});

describe('the plain grpc-js server and the CompressedRequest probe', () => {
  let server: RunningServer;
  let clients: InteropClients;
  beforeAll(async () => {
    server = await SERVERS['plain grpc-js'](false);
    clients = createInteropClients(`127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it.each(PROBE_CASES)('%s fails at its feature probe, which a grpc-js 1.14 handler cannot answer', async (name) => {
    await expect(runInteropCase(name, clients)).rejects.toThrow(
      /^the feature probe \(an uncompressed \w+ with expect_compressed: true\): expected status INVALID_ARGUMENT, but the call succeeded$/,
    );
  });
});

describe.each(SERVER_NAMES)('the interop cases against the %s server, over TLS', (serverName) => {
  let server: RunningServer;
  let clients: InteropClients;
  beforeAll(async () => {
    server = await SERVERS[serverName](true);
    // As the gRPC interop runs do: the test CA, and the server's name overridden to one its certificate names.
    clients = createInteropClients(`127.0.0.1:${server.port}`, {
      tls: { ca: readFileSync(TEST_CERTIFICATES.ca), serverName: 'foo.test.google.fr' },
    });
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it.each(TLS_CASES)('%s passes', async (name) => {
    await runInteropCase(name, clients);
  });

  it('a client that does not trust the test CA gets UNAVAILABLE, not a connection', async () => {
    const untrusting = createInteropClients(`127.0.0.1:${server.port}`, { tls: { serverName: 'foo.test.google.fr' } });
    try {
      const failure = await runInteropCase('empty_unary', untrusting).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(RpcError.is(failure) && failure.code).toBe(Status.UNAVAILABLE);
    } finally {
      untrusting.close();
    }
  });
});
