import { readFileSync } from 'node:fs';
import { type App, createApp, type Logger, type ServerTlsOptions } from '@wirekit/core';
import { InteropTestService } from './interop-test-service.js';

/** The committed test certificates (`certs/`): a CA, and a server certificate for `*.test.google.fr` and localhost. */
export const TEST_CERTIFICATES = {
  ca: new URL('../certs/ca.pem', import.meta.url),
  serverCert: new URL('../certs/server1.pem', import.meta.url),
  serverKey: new URL('../certs/server1.key', import.meta.url),
} as const;

/** The server's TLS settings with the committed test certificates. */
export function testServerTls(): ServerTlsOptions {
  return { cert: readFileSync(TEST_CERTIFICATES.serverCert), key: readFileSync(TEST_CERTIFICATES.serverKey) };
}

/** Options of `createInteropServer`. */
export interface InteropServerOptions {
  /** Serve over TLS with the committed test certificates. */
  readonly useTls?: boolean;
  readonly logger?: Logger;
  /** Signals that close the server; none by default, so a test's process keeps its own handlers. */
  readonly shutdownSignals?: readonly NodeJS.Signals[];
}

/**
 * An app serving `grpc.testing.TestService` for the gRPC interop cases; call `listen` on it.
 *
 * @example
 * const app = createInteropServer({ useTls: false });
 * const { port } = await app.listen('127.0.0.1:0');
 */
export function createInteropServer(options: InteropServerOptions = {}): App {
  const { useTls = false, logger, shutdownSignals = [] } = options;
  return createApp({
    services: [InteropTestService],
    ...(useTls ? { tls: testServerTls() } : {}),
    ...(logger ? { logger } : {}),
    shutdownSignals,
    // gzip for clients that accept it, only for the messages a handler marks (response_compressed).
    responseCompression: { algorithm: 'gzip', minBytes: Number.POSITIVE_INFINITY },
    // The largest interop message is 314,159 bytes, under grpc-js's 4 MiB default: no size limits to raise.
  });
}
