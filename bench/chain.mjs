// What each middleware of the full production chain costs per unary call: the chain of bench/run.mjs's
// "Wirekit, full middleware chain" server taken apart. Client and server run in one process over the in-memory
// transport (app.serveInMemory()), so no HTTP/2 or kernel time hides the middleware's own: the CPU per call is the
// client's and the server's together, and the difference to the baseline is the middleware's.
//
// Each row runs in a process of its own (OpenTelemetry's context manager, once used, puts a hook on every promise
// of the process, which would charge the rows after it), which measures the baseline (no middleware, the echo
// handler answering synchronously, as in bench/run.mjs) and the row alternately, after a warm-up, for several
// rounds, with 64 calls in flight; the extra µs per call is the median of the within-round differences.
//
//   node bench/chain.mjs              # 5 rounds; prints the table, writes docs/benchmarks-chain.json
//   node bench/chain.mjs --quick      # seconds: checks every row answers every call right (never a speed)
//   options: --rounds N, --out FILE
//
// Run after `tsc -b`: it imports packages/core/dist and packages/middleware/dist.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatJson } from './format-json.mjs';

const ROWS = [
  { name: 'async', label: 'an async handler, no middleware', middleware: [], asyncHandler: true },
  { name: 'recovery', label: 'recovery', middleware: ['recovery'] },
  { name: 'rateLimit', label: 'rate limit (memory store)', middleware: ['rateLimit'] },
  { name: 'auth', label: 'auth (HS256 JWT)', middleware: ['auth'] },
  { name: 'metrics', label: 'metrics (prom-client)', middleware: ['metrics'] },
  { name: 'tracing', label: 'tracing (OpenTelemetry SDK, batch span processor)', middleware: ['tracing'] },
  { name: 'logging', label: 'logging (pino, a line per call to a file)', middleware: ['logging'] },
  {
    name: 'full',
    label: 'the full chain',
    middleware: ['tracing', 'logging', 'metrics', 'recovery', 'auth', 'rateLimit'],
  },
];

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    out: { type: 'string' },
    row: { type: 'string' },
  },
});
const quick = options.quick;
const rounds = Number(options.rounds ?? (quick ? 1 : 5));
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error('--rounds takes a whole number from 1 to 50');
const counts = quick ? { warmup: 50, calls: 200 } : { warmup: 5_000, calls: 20_000 };

if (options.row !== undefined) {
  const row = ROWS.find((candidate) => candidate.name === options.row);
  if (!row) throw new Error(`--row: no row named ${options.row}`);
  process.stdout.write(`${JSON.stringify(await measureRow(row))}\n`);
} else {
  await main();
}

async function main() {
  const out = options.out ?? (quick ? undefined : fileURLToPath(new URL('../docs/benchmarks-chain.json', import.meta.url)));
  const pinned = !quick && os.cpus().length >= 2 && spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  const results = [];
  for (const row of ROWS) {
    const args = [fileURLToPath(import.meta.url), '--row', row.name, '--rounds', String(rounds), ...(quick ? ['--quick'] : [])];
    const [command, commandArgs] = pinned ? ['taskset', ['-c', '1', process.execPath, ...args]] : [process.execPath, args];
    const child = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`bench/chain.mjs: the ${row.name} row failed (${child.signal ?? `exit ${child.status}`})`);
    results.push({ ...row, ...JSON.parse(child.stdout.trim().split('\n').at(-1)) });
  }
  const errors = results.reduce((sum, row) => sum + row.errors, 0);
  console.log(`\nPer unary call, client and server in one process over the in-memory transport; ${rounds} round(s), 64 in flight\n`);
  console.log('| row | µs per call | baseline µs | extra µs over the baseline | × baseline | errors |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const row of results) {
    console.log(
      `| ${row.label} | ${row.microsPerCall.toFixed(2)} | ${row.baselineMicrosPerCall.toFixed(2)} | ${row.extraMicros.toFixed(2)} | ${row.ratio.toFixed(2)} | ${row.errors} |`,
    );
  }
  if (out) {
    writeFileSync(out, formatJson({ quick, rounds, node: process.version, rows: results }));
    console.log(`\nraw results: ${out}`);
  }
  if (errors > 0) {
    console.error(`bench/chain.mjs: ${errors} call(s) failed or answered wrong`);
    process.exit(1);
  }
}

/** Measures one row against the baseline in this process: both apps, alternately, `rounds` times. */
async function measureRow(row) {
  const { benchJwt } = await import('./bench-jwt.mjs');
  const { closeClient, createApp, createClient, createSilentLogger } = await import('@wirekit/core');
  const { chainMiddleware, startChainServices } = await import('./servers/wirekit-chain.mjs');
  const { Echo, echoHandlers } = await import('./servers/wirekit-echo.mjs');

  const secret = 'bench-chain-secret-of-thirty-two-bytes!';
  const jwt = await benchJwt(secret);
  const services = await startChainServices({ withTracing: row.middleware.includes('tracing') });

  const start = async (middleware, handlers) => {
    const app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false, middleware });
    app.addService(Echo, handlers);
    const client = createClient(Echo, await app.serveInMemory(), {
      defaultCallOptions: { metadata: { authorization: `Bearer ${jwt}` } },
    });
    return { app, client };
  };
  const baseline = await start([], echoHandlers);
  const measured = await start(
    chainMiddleware({ logger: services.logger, secret, names: row.middleware }),
    row.asyncHandler ? { ...echoHandlers, unary: async (request) => ({ data: request.data }) } : echoHandlers,
  );

  const payload = new Uint8Array(100).map((_, index) => index);
  let errors = 0;
  /** `calls` unary calls, 64 in flight; each answer must be the payload. */
  const run = async (client, calls) => {
    let started = 0;
    const worker = async () => {
      while (started < calls) {
        started++;
        try {
          const { data } = await client.unary({ data: payload });
          if (data.length !== payload.length || data.some((byte, index) => byte !== payload[index])) errors++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  };
  const cpuMicrosPerCall = async (client) => {
    const before = process.cpuUsage();
    await run(client, counts.calls);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / counts.calls;
  };

  await run(baseline.client, counts.warmup);
  await run(measured.client, counts.warmup);
  const baselineSamples = [];
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    // Rotated, so neither always runs first.
    if (round % 2 === 0) {
      baselineSamples.push(await cpuMicrosPerCall(baseline.client));
      samples.push(await cpuMicrosPerCall(measured.client));
    } else {
      samples.push(await cpuMicrosPerCall(measured.client));
      baselineSamples.push(await cpuMicrosPerCall(baseline.client));
    }
  }
  for (const { app, client } of [baseline, measured]) {
    closeClient(client);
    await app.close({ graceMs: 0 });
  }
  await services.close();
  return {
    microsPerCall: median(samples),
    baselineMicrosPerCall: median(baselineSamples),
    extraMicros: median(samples.map((sample, index) => sample - baselineSamples[index])),
    ratio: median(samples.map((sample, index) => sample / baselineSamples[index])),
    samples,
    baselineSamples,
    errors,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
