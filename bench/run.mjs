// The multi-process benchmark: bench.v1.Echo served by raw @grpc/grpc-js (the baseline), by Wirekit with no
// middleware and with the full production chain, by nice-grpc, by NestJS's gRPC transport, and by a bare
// node:http2 server (the ceiling), each in its own process pinned to core 0, loaded by one raw grpc-js client
// pinned to core 1. Each server reports its own CPU time and RSS over IPC, so the steadiest figure is server CPU
// µs per call (or per streamed message). Rounds interleave the servers; ratios to grpc-js are taken within each
// round and their median reported. Unary modes also report the calls' p50 and p99 latency.
//
//   node bench/run.mjs            # 5 rounds; prints the tables, writes docs/benchmarks.json and docs/benchmarks.svg
//   node bench/run.mjs --quick    # tiny counts, 1 round: checks every server answers every call right
//   options: --rounds N, --size BYTES (payload, default 100), --out FILE (JSON, and the chart beside it as .svg;
//   none by default with --quick or --servers), --servers NAME,NAME (a subset, e.g. grpc-js,wirekit: for profiling
//   work; grpc-js, the baseline, is always run)
//
// Run after `tsc -b`: the Wirekit servers import packages/core/dist and packages/middleware/dist.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchJwt } from './bench-jwt.mjs';
import { chartPathFor, renderChart } from './chart.mjs';
import { bidi, clientStream, createEchoClient, serverStream, unary } from './load.mjs';
import { describeMachine, formatMemoryTable, formatTable, summarize, summarizeMemory } from './report.mjs';
import { pinLoadGenerator, startServer } from './server-process.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    size: { type: 'string', default: '100' },
    out: { type: 'string' },
    servers: { type: 'string' },
  },
});
const quick = options.quick;
const rounds = Number(options.rounds ?? (quick ? 1 : 5));
const size = Number(options.size);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error('--rounds takes a whole number from 1 to 50');
if (!Number.isInteger(size) || size < 0 || size > 1_000_000) throw new Error('--size takes a byte count from 0 to 1000000');
const subset = options.servers?.split(',').map((name) => name.trim());
const out = options.out ?? (quick || subset ? undefined : fileURLToPath(new URL('../docs/benchmarks.json', import.meta.url)));

const counts = quick
  ? { unarySerial: 20, unaryParallel: 200, streamCalls: 2, streamMessages: 20, pingPongMessages: 20 }
  : // Streams long enough (about a second or more per workload) that a moment of noise on a shared machine
    // moves one round's ratio little.
    { unarySerial: 5_000, unaryParallel: 20_000, streamCalls: 10, streamMessages: 12_000, pingPongMessages: 2_000 };
const deadlineMs = 30_000;
// Everything stops by itself: a run that hangs is killed with its servers and fails.
// Generous, since six servers on a busy machine took ~6 minutes a round: it catches hangs, not slowness.
const timeLimitMs = quick ? 120_000 : (5 + 4 * rounds) * 60_000;

const payload = randomBytes(size);
const scaled = (count, scale) => Math.max(1, Math.round(count * scale));

// The full Wirekit chain authenticates every call: an HS256 JWT made here, its secret given to that server only.
const jwtSecret = randomBytes(32).toString('base64url');
const jwt = await benchJwt(jwtSecret);

const allServers = [
  { name: 'grpc-js', label: 'raw @grpc/grpc-js + proto-loader', file: 'servers/grpc-js.mjs' },
  { name: 'wirekit', label: 'Wirekit, no middleware', file: 'servers/wirekit.mjs' },
  {
    name: 'wirekit-full',
    label: 'Wirekit, full middleware chain',
    file: 'servers/wirekit-full.mjs',
    env: { BENCH_JWT_SECRET: jwtSecret },
    metadata: { authorization: `Bearer ${jwt}` },
  },
  { name: 'nice-grpc', label: 'nice-grpc 2.1', file: 'servers/nice-grpc.mjs' },
  { name: 'nestjs', label: 'NestJS gRPC microservice', file: 'servers/nestjs.mjs' },
  { name: 'http2', label: 'bare node:http2 (ceiling)', file: 'servers/http2-ceiling.mjs' },
];
const unknown = subset?.filter((name) => !allServers.some((server) => server.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(`--servers: no server named ${unknown.join(', ')}; known: ${allServers.map((s) => s.name).join(', ')}`);
}
const servers = allServers.filter((server) => !subset || server.name === 'grpc-js' || subset.includes(server.name));
const modes = [
  {
    name: 'unary-c1',
    label: 'unary C=1 (per call)',
    unit: 'call',
    run: (client, scale) => unary(client, { calls: scaled(counts.unarySerial, scale), concurrency: 1, payload, deadlineMs }),
  },
  {
    name: 'unary-c64',
    label: 'unary C=64 (per call)',
    unit: 'call',
    run: (client, scale) => unary(client, { calls: scaled(counts.unaryParallel, scale), concurrency: 64, payload, deadlineMs }),
  },
  {
    name: 'server-stream',
    label: 'server streaming (per message)',
    unit: 'message',
    run: (client, scale) =>
      serverStream(client, { calls: counts.streamCalls, messages: scaled(counts.streamMessages, scale), size, deadlineMs }),
  },
  {
    name: 'client-stream',
    label: 'client streaming (per message)',
    unit: 'message',
    run: (client, scale) =>
      clientStream(client, { calls: counts.streamCalls, messages: scaled(counts.streamMessages, scale), payload, deadlineMs }),
  },
  {
    name: 'bidi',
    label: 'bidi ping-pong (per message)',
    unit: 'message',
    run: (client, scale) =>
      bidi(client, { calls: counts.streamCalls, messages: scaled(counts.pingPongMessages, scale), payload, deadlineMs }),
  },
];

const children = new Set();
const timeLimit = setTimeout(() => {
  console.error(`bench: not done after ${timeLimitMs / 1000} s; stopping`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
}, timeLimitMs);

// Pin when there are two cores and taskset: servers to core 0, this process (every thread) to core 1. The quick
// mode measures nothing, so it leaves the six servers free to start on any core.
const pinned = !quick && pinLoadGenerator();

/** Starts a server process and resolves once it listens: its port and client, a usage probe, and a stop. */
async function startBenchServer(server) {
  // Generous: six servers starting together on a busy machine (NestJS and the OpenTelemetry SDK are slow to load).
  const started = await startServer(server, { pinned, children, listenTimeoutMs: 30_000 });
  const handle = {
    ...server,
    ...started,
    client: createEchoClient(started.port, server.metadata),
    // The highest RSS any probe reported, warm-up included.
    peakRssBytes: 0,
    usage: async () => {
      const usage = await started.usage();
      handle.peakRssBytes = Math.max(handle.peakRssBytes, usage.peakRss);
      return usage;
    },
  };
  return handle;
}

/** One workload against one server, with the CPU time the server spent on it. */
async function measure(server, mode, scale) {
  const before = await server.usage();
  const begin = performance.now();
  const result = await mode.run(server.client, scale);
  const seconds = (performance.now() - begin) / 1000;
  const after = await server.usage();
  const units = mode.unit === 'call' ? result.calls : result.messages;
  const serverCpuMicros = after.cpuMicros - before.cpuMicros;
  return {
    ...result,
    seconds,
    serverCpuMicros,
    rssBytes: after.rss,
    // The highest RSS the server saw during the workload (sampled every 100 ms, and at the probe).
    peakRssBytes: after.peakRss,
    perSecond: units / seconds,
    cpuMicrosPerUnit: units > 0 ? serverCpuMicros / units : null,
  };
}

const started = [];
const samples = [];
// Each server's RSS at its last probe, once every round is done (what it kept), and the highest of the run.
const finalUsage = [];
try {
  // Started together (a server's startup is not measured); a failure to start still stops the others.
  const starting = await Promise.allSettled(servers.map(startBenchServer));
  for (const outcome of starting) if (outcome.status === 'fulfilled') started.push(outcome.value);
  const failed = starting.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  if (!quick) {
    // Warm-up at half the counts, so every server and the client run JIT-compiled code before the rounds.
    for (const mode of modes) for (const server of started) await measure(server, mode, 0.5);
  }
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so no server always runs right after another's garbage.
    const order = started.map((_, index) => started[(index + round) % started.length]);
    for (const mode of modes) {
      for (const server of order) samples.push({ round, mode: mode.name, server: server.name, ...(await measure(server, mode, 1)) });
    }
    if (!quick) console.error(`bench: round ${round + 1} of ${rounds} done`);
  }
  for (const server of started) {
    const { rss } = await server.usage();
    finalUsage.push({ server: server.name, rssBytes: rss, peakRssBytes: server.peakRssBytes });
  }
} finally {
  for (const server of started) server.client.close();
  await Promise.all(started.map((server) => server.stop()));
  for (const child of children) child.kill('SIGKILL');
}

const serverList = servers.map(({ name, label }) => ({ name, label }));
const modeList = modes.map(({ name, label, unit }) => ({ name, label, unit }));
const summary = summarize(samples, serverList, modeList);
const memory = summarizeMemory(samples, finalUsage, serverList);
const machine = describeMachine(pinned);
// Correct means every server answered every call of every mode, right.
const problems = summary.filter((row) => row.calls === 0 || row.errors > 0);

console.log(
  `${machine.cpuCount} × ${machine.cpuModel}; Node ${machine.node}; @grpc/grpc-js ${machine.grpcJs}; @wirekit/core ${machine.wirekitCore}; ` +
    `nice-grpc ${machine.niceGrpc}; @nestjs/microservices ${machine.nestjsMicroservices}; ` +
    `${machine.pinned}; payload ${size} bytes; ${rounds} round${rounds === 1 ? '' : 's'}${quick ? ' (quick: a correctness check, not a speed)' : ''}\n`,
);
console.log(formatTable(summary, serverList, modeList));
console.log(`\n${formatMemoryTable(memory, serverList)}`);
for (const row of problems) console.error(`bench: ${row.server} ${row.mode}: ${row.calls} calls, ${row.errors} errors (${row.firstError})`);

if (out) {
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    quick,
    ok: problems.length === 0,
    machine,
    settings: { rounds, payloadBytes: size, counts },
    servers: serverList,
    modes: modeList,
  };
  const full = { ...report, summary, memory, samples };
  writeFileSync(out, `${JSON.stringify(full, null, 2)}\n`);
  const chart = chartPathFor(out);
  writeFileSync(chart, renderChart(full));
  console.log(`\nraw results: ${out}\nchart: ${chart}`);
}
clearTimeout(timeLimit);
process.exitCode = problems.length === 0 ? 0 : 1;
