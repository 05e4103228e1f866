#!/usr/bin/env node
// `npm run interop-client -- --server_port=PORT --test_case=NAME|all [--server_host=HOST]
//   [--server_host_override=NAME] [--use_tls=true] [--use_test_ca=true]`
import { readFileSync } from 'node:fs';
import { INTEROP_CASES, type InteropCaseName, isInteropCaseName, runInteropCase } from './interop-cases.js';
import { createInteropClients } from './interop-clients.js';
import { booleanFlag, parseFlags, portFlag } from './interop-flags.js';
import { TEST_CERTIFICATES } from './interop-server.js';

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, ['server_host', 'server_host_override', 'server_port', 'test_case', 'use_tls', 'use_test_ca']);
  const host = flags.get('server_host') ?? '127.0.0.1';
  const port = portFlag(flags, 'server_port');
  const useTls = booleanFlag(flags, 'use_tls', false);
  const useTestCa = booleanFlag(flags, 'use_test_ca', false);
  const override = flags.get('server_host_override');
  const testCase = flags.get('test_case');
  if (testCase === undefined) throw new Error(`--test_case is required: all, or one of ${Object.keys(INTEROP_CASES).join(', ')}`);
  if (testCase !== 'all' && !isInteropCaseName(testCase)) {
    throw new Error(`unknown --test_case ${JSON.stringify(testCase)}; known: all, ${Object.keys(INTEROP_CASES).join(', ')}`);
  }
  const names = testCase === 'all' ? (Object.keys(INTEROP_CASES) as InteropCaseName[]) : [testCase];
  const tls = useTls
    ? { ...(useTestCa ? { ca: readFileSync(TEST_CERTIFICATES.ca) } : {}), ...(override ? { serverName: override } : {}) }
    : undefined;
  const clients = createInteropClients(`${host.includes(':') ? `[${host}]` : host}:${port}`, tls ? { tls } : {});
  let failed = 0;
  try {
    for (const name of names) {
      try {
        await runInteropCase(name, clients);
        console.log(`PASS ${name}`);
      } catch (error: unknown) {
        failed++;
        console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    clients.close();
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
