#!/usr/bin/env node
// `npm run interop-server -- --port=PORT [--use_tls=true] [--host=ADDR] [--implementation=wirekit|grpc-js]`
import { createStderrLogger } from '@wirekit/core';
import { booleanFlag, parseFlags, portFlag } from './interop-flags.js';
import { createInteropServer } from './interop-server.js';
import { startPlainGrpcJsServer } from './plain-grpc-js-server.js';

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, ['port', 'use_tls', 'host', 'implementation']);
  const port = portFlag(flags, 'port');
  const useTls = booleanFlag(flags, 'use_tls', false);
  const host = flags.get('host') ?? '127.0.0.1';
  const implementation = flags.get('implementation') ?? 'wirekit';
  const security = useTls ? 'TLS, certs/server1.pem' : 'plaintext';
  if (implementation === 'wirekit') {
    const app = createInteropServer({ useTls, logger: createStderrLogger(), shutdownSignals: ['SIGTERM', 'SIGINT'] });
    const { port: bound } = await app.listen(`${host}:${port}`);
    console.log(`interop server (Wirekit) listening on ${host}:${bound} (${security})`);
  } else if (implementation === 'grpc-js') {
    const server = await startPlainGrpcJsServer({ host, port, useTls });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close());
    console.log(`interop server (plain grpc-js) listening on ${host}:${server.port} (${security})`);
  } else {
    throw new Error(`--implementation is wirekit or grpc-js, not ${JSON.stringify(implementation)}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
