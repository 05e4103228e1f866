import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { INTEROP_CASES } from './interop-cases.js';

const SERVER_MAIN = fileURLToPath(new URL('../dist/server-main.js', import.meta.url));
const CLIENT_MAIN = fileURLToPath(new URL('../dist/client-main.js', import.meta.url));

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGTERM');
});

/** Starts the built interop server on port 0 and resolves with the port it prints. */
async function startServer(...flags: string[]): Promise<number> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run "npx tsc -b" first`);
  const child = spawn(process.execPath, [SERVER_MAIN, '--port=0', ...flags], { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child);
  for await (const line of createInterface({ input: child.stdout ?? process.stdin })) {
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (port) return Number(port);
  }
  throw new Error('the interop server exited before it listened');
}

/** Runs the built interop client to the end. */
function runClient(...flags: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLIENT_MAIN, ...flags], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, lines: stdout.trim().split('\n'), stderr });
    });
  });
}

describe('the interop command lines', () => {
  it('--test_case=all against the Wirekit server: every case passes, exit 0', async () => {
    const port = await startServer();
    const { code, lines } = await runClient(`--server_port=${port}`, '--test_case=all');
    expect(lines).toEqual(Object.keys(INTEROP_CASES).map((name) => `PASS ${name}`));
    expect(code).toBe(0);
  });

  it('--test_case=all against the plain grpc-js server: the two compression probes fail, and the exit code says so', async () => {
    const port = await startServer('--implementation=grpc-js');
    const { code, lines } = await runClient(`--server_port=${port}`, '--test_case=all');
    const probes = new Set(['client_compressed_unary', 'client_compressed_streaming']);
    expect(lines.map((line) => line.replace(/:.*/s, ''))).toEqual(
      Object.keys(INTEROP_CASES).map((name) => (probes.has(name) ? `FAIL ${name}` : `PASS ${name}`)),
    );
    expect(code).toBe(1);
  });

  it('runs one case over TLS against the plain grpc-js server, with the flags of the gRPC interop clients', async () => {
    const port = await startServer('--use_tls=true', '--implementation=grpc-js');
    const result = await runClient(
      `--server_port=${port}`,
      '--test_case=large_unary',
      '--use_tls=true',
      '--use_test_ca=true',
      '--server_host_override=foo.test.google.fr',
    );
    expect(result).toMatchObject({ code: 0, lines: ['PASS large_unary'] });
  });

  it('refuses an unknown case by name, listing the known ones', async () => {
    const result = await runClient('--server_port=1', '--test_case=compute_engine_creds');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^unknown --test_case "compute_engine_creds"; known: all, empty_unary, large_unary, /);
  });
});
