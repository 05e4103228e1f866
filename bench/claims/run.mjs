// The claims users hear about gRPC, measured on the payments service's own messages (docs/benchmarks.md, "The
// claims"): payload size (sizes.mjs), serialization speed in one process (codec-speed.mjs), and end to end
// (end-to-end.mjs, head-of-line.mjs) the same Charge/GetPayment handlers served three ways, each server in its
// own process: Wirekit over gRPC; Fastify REST/JSON over HTTP/1.1 keep-alive; the same Fastify app over HTTP/2.
//
//   node bench/claims/run.mjs          # full: tables on stdout, docs/benchmarks-claims.json and .svg (~3 min quiet)
//   node bench/claims/run.mjs --quick  # seconds: checks every size round trip and every server's answers (never a speed)
//   options: --rounds N (end-to-end rounds, default 5), --out FILE (JSON), --svg FILE (chart)
//
// Run after `tsc -b`: it imports packages/core/dist and examples/payments/dist.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatJson } from '../format-json.mjs';
import { describeMachine } from '../report.mjs';
import { pinLoadGenerator, startServer } from '../server-process.mjs';
import { renderChart } from './chart.mjs';
import { measureCodecSpeed } from './codec-speed.mjs';
import { measureEndToEnd } from './end-to-end.mjs';
import { measureHeadOfLine } from './head-of-line.mjs';
import { chargeAndGet, chargeTemplate, checkAnswers, grpcClient, http1Client, http2Client } from './load.mjs';
import { claimMessages } from './messages.mjs';
import { measureSizes } from './sizes.mjs';
import { codecMappingTable, codecSpeedTable, endToEndTable, headOfLineTable, sizesTable } from './tables.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    out: { type: 'string' },
    svg: { type: 'string' },
  },
});
const quick = options.quick;
const docs = (name) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const endToEndRounds = Number(options.rounds ?? (quick ? 1 : 5));
if (!Number.isInteger(endToEndRounds) || endToEndRounds < 1 || endToEndRounds > 20)
  throw new Error('--rounds takes a whole number from 1 to 20');
const out = options.out ?? (quick ? undefined : docs('benchmarks-claims.json'));
const svgOut = options.svg ?? (quick ? undefined : docs('benchmarks-claims.svg'));

const settings = quick
  ? {
      codecRounds: 1,
      codecSampleMs: 2,
      endToEndRounds,
      concurrencies: [1, 64, 256],
      headOfLineTrials: 1,
      headOfLineDelayMs: 50,
      headOfLinePoolConnections: 8,
    }
  : {
      codecRounds: 15,
      codecSampleMs: 30,
      endToEndRounds,
      concurrencies: [1, 64, 256],
      headOfLineTrials: 5,
      headOfLineDelayMs: 200,
      headOfLinePoolConnections: 8,
    };
// Charge-then-GetPayment pairs per measurement (two calls each); quick mode still fills every concurrency once.
const pairsAt = (concurrency) => (quick ? concurrency + 4 : concurrency === 1 ? 1_000 : 6_000);
// Everything stops by itself: a run that hangs is killed with its servers and fails. Generous, because on a
// shared machine pinned processes wait for their core: one full run took 10 minutes of wall time for 80 s of CPU.
const timeLimitMs = quick ? 75_000 : 20 * 60_000;

const children = new Set();
// The last step reached, so a run that overruns says where it stood.
let stage = 'starting';
const timeLimit = setTimeout(() => {
  console.error(`bench claims: not done after ${timeLimitMs / 1000} s (last step: ${stage}); stopping`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
}, timeLimitMs);
const progress = (message) => {
  stage = message;
  if (!quick) console.error(`bench claims: ${message}`);
};

const pinned = pinLoadGenerator();
const messageSets = claimMessages();

// 1 and 2: in this process, before any server starts.
const sizes = messageSets.map(measureSizes);
progress('sizes done');
const codecSpeed = measureCodecSpeed(messageSets, { rounds: settings.codecRounds, sampleMs: settings.codecSampleMs });
progress('codec speed done');

// 3 and 4: three servers, each in its own process.
const template = chargeTemplate(messageSets[0].values[0]);
const serverList = [
  { name: 'grpc', file: 'claims/servers/wirekit-payments.mjs' },
  { name: 'rest-http1', file: 'claims/servers/rest.mjs' },
  { name: 'rest-http2', file: 'claims/servers/rest.mjs', args: ['--http2'] },
];
const transportList = [
  { name: 'grpc', short: 'Wirekit gRPC', label: 'Wirekit gRPC (1 HTTP/2 connection)' },
  { name: 'rest-http1', short: 'REST HTTP/1.1', label: 'Fastify REST, HTTP/1.1 keep-alive (pool of C connections)' },
  { name: 'rest-http2', short: 'REST HTTP/2', label: 'Fastify REST, HTTP/2 h2c (1 session)' },
];
const headOfLineList = [
  { name: 'grpc', server: 'grpc', label: 'Wirekit gRPC, 1 HTTP/2 connection' },
  { name: 'rest-http2', server: 'rest-http2', label: 'REST over HTTP/2, 1 session' },
  { name: 'rest-http1-one', server: 'rest-http1', label: 'REST over HTTP/1.1, 1 keep-alive connection (no pipelining)' },
  { name: 'rest-http1-pipelined', server: 'rest-http1', label: 'REST over HTTP/1.1, 1 connection, pipelining 8' },
  {
    name: 'rest-http1-pool',
    server: 'rest-http1',
    label: `REST over HTTP/1.1, pool of ${settings.headOfLinePoolConnections} keep-alive connections`,
  },
];

const servers = new Map();
const clients = [];
const answers = {};
let endToEnd;
let headOfLine;
try {
  for (const server of serverList) servers.set(server.name, await startServer(server, { pinned, children }));
  const client = (make) => {
    const made = make();
    clients.push(made);
    return made;
  };
  const port = (name) => servers.get(name).port;
  // One gRPC channel and one HTTP/2 session carry every concurrency; HTTP/1.1 gets a pool of C sockets per C.
  const shared = {
    grpc: client(() => grpcClient(port('grpc'), template)),
    'rest-http2': client(() => http2Client(port('rest-http2'), template)),
  };
  const pools = new Map(
    settings.concurrencies.map((concurrency) => [
      concurrency,
      client(() => http1Client(port('rest-http1'), template, { connections: concurrency })),
    ]),
  );
  const transports = transportList.map(({ name }) => ({
    name,
    server: servers.get(name),
    clientAt: (concurrency) => (name === 'rest-http1' ? pools.get(concurrency) : shared[name]),
  }));
  for (const transport of transports) {
    for (const concurrency of settings.concurrencies) {
      stage = `checks of ${transport.name} C=${concurrency}`;
      answers[`${transport.name} C=${concurrency}`] = await checkAnswers(
        transport.clientAt(concurrency),
        `check-${transport.name}-${concurrency}`,
      );
    }
  }
  endToEnd = await measureEndToEnd(transports, {
    concurrencies: settings.concurrencies,
    rounds: settings.endToEndRounds,
    pairsAt,
    warmUp: !quick,
    template,
    progress: (round) => progress(`end-to-end round ${round + 1} of ${settings.endToEndRounds} done`),
  });

  // 5: head-of-line, on clients of their own (fresh connections), each checked and warmed first.
  const headOfLineClients = {
    grpc: () => grpcClient(port('grpc'), template),
    'rest-http2': () => http2Client(port('rest-http2'), template),
    'rest-http1-one': () => http1Client(port('rest-http1'), template, { connections: 1 }),
    'rest-http1-pipelined': () => http1Client(port('rest-http1'), template, { connections: 1, pipelining: 8 }),
    'rest-http1-pool': () => http1Client(port('rest-http1'), template, { connections: settings.headOfLinePoolConnections }),
  };
  const scenarios = [];
  for (const scenario of headOfLineList) {
    const made = client(headOfLineClients[scenario.name]);
    stage = `head-of-line client ${scenario.name}: checks`;
    answers[`head-of-line ${scenario.name}`] = await checkAnswers(made, `check-hol-${scenario.name}`);
    stage = `head-of-line client ${scenario.name}: warm-up`;
    const warm = await chargeAndGet(made, {
      pairs: 50,
      concurrency: settings.headOfLinePoolConnections,
      keyPrefix: `warm-${scenario.name}`,
      template,
    });
    if (warm.errors > 0) answers[`head-of-line ${scenario.name}`].push(`warm-up: ${warm.firstError}`);
    const { paymentId } = await made.charge(`hol-${scenario.name}`);
    scenarios.push({ ...scenario, client: made, paymentId });
    stage = `head-of-line client ${scenario.name} ready`;
  }
  headOfLine = await measureHeadOfLine(scenarios, { trials: settings.headOfLineTrials, delayMs: settings.headOfLineDelayMs });
  progress('head-of-line done');
} finally {
  await Promise.allSettled(clients.map((each) => each.close()));
  await Promise.all([...servers.values()].map((server) => server.stop()));
  for (const child of children) child.kill('SIGKILL');
}

const version = (path) => {
  try {
    return JSON.parse(readFileSync(new URL(`../../node_modules/${path}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
};
const machine = { ...describeMachine(pinned), fastify: version('fastify'), undici: version('undici'), protobufjs: version('protobufjs') };

// Correct means: every message survived both round trips, every server answered every check and every call right.
const checks = {
  roundTrips: sizes.every((row) => row.roundTripsOk),
  answers,
  endToEndErrors: endToEnd.summary.reduce((sum, row) => sum + row.errors, 0),
  endToEndEmpty: endToEnd.summary.filter((row) => row.calls === 0).map((row) => `${row.transport} C=${row.concurrency}`),
  headOfLineErrors: headOfLine.reduce((sum, row) => sum + row.errors, 0),
  headOfLineEmpty: headOfLine.filter((row) => row.trials === 0 || row.fastCalls === 0).map((row) => row.scenario),
};
const problems = [
  ...sizes.flatMap((row) => row.problems),
  ...Object.entries(answers).flatMap(([name, list]) => list.map((problem) => `${name}: ${problem}`)),
  ...endToEnd.summary
    .filter((row) => row.errors > 0)
    .map((row) => `${row.transport} C=${row.concurrency}: ${row.errors} errors (${row.firstError})`),
  ...checks.endToEndEmpty.map((name) => `${name}: no call succeeded`),
  ...headOfLine.filter((row) => row.errors > 0).map((row) => `head-of-line ${row.scenario}: ${row.errors} errors (${row.firstError})`),
  ...checks.headOfLineEmpty.map((name) => `head-of-line ${name}: no trial`),
];

const report = {
  quick,
  ok: problems.length === 0,
  problems,
  machine,
  settings: { ...settings, pairs: Object.fromEntries(settings.concurrencies.map((concurrency) => [concurrency, pairsAt(concurrency)])) },
  checks,
  sizes,
  codecSpeed,
  endToEnd: { transports: transportList, concurrencies: settings.concurrencies, summary: endToEnd.summary, samples: endToEnd.samples },
  headOfLine: { delayMs: settings.headOfLineDelayMs, trials: settings.headOfLineTrials, scenarios: headOfLine },
};

console.log(
  `${machine.cpuCount} × ${machine.cpuModel}; Node ${machine.node}; @grpc/grpc-js ${machine.grpcJs}; fastify ${machine.fastify}; ` +
    `undici ${machine.undici}; protobufjs ${machine.protobufjs}; ${machine.pinned}${quick ? ' (quick: a correctness check, not a speed)' : ''}\n`,
);
console.log(`Payload size\n\n${sizesTable(sizes)}\n`);
console.log(`Encode and decode, messages per second (${settings.codecRounds} rounds)\n\n${codecSpeedTable(codecSpeed)}\n`);
console.log(`With the canonical JSON mapping, and raw protobufjs\n\n${codecMappingTable(codecSpeed)}\n`);
console.log(`End to end, Charge + GetPayment (${settings.endToEndRounds} rounds)\n\n${endToEndTable(endToEnd.summary, transportList)}\n`);
console.log(`Head-of-line (${settings.headOfLineTrials} trials)\n\n${headOfLineTable(headOfLine, settings.headOfLineDelayMs)}`);
for (const problem of problems) console.error(`bench claims: ${problem}`);

if (out) {
  writeFileSync(out, formatJson(report));
  console.log(`\nraw results: ${out}`);
}
if (svgOut) {
  writeFileSync(svgOut, renderChart(report));
  console.log(`chart: ${svgOut}`);
}
clearTimeout(timeLimit);
process.exitCode = problems.length === 0 ? 0 : 1;
