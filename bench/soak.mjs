// The soak: the mix of packages/core/src/server/load.test.ts (every rpc mode at once, hundreds of calls in
// flight, with expected errors, abandoned streams and cancellations) run round after round for a given time
// against a Wirekit server in its own process, which reports its memory over IPC and, after app.close(), the
// resources (sockets, servers, timers) it still holds compared with before it started.
//
//   npm run soak                     # 3 minutes (builds first)
//   node bench/soak.mjs --minutes 2  # after `tsc -b`
//   options: --minutes N (default 3), --warmup-seconds N (default 20), --rss-bound-mib N (default 32)
//
// Exits 1 on any unexpected error, when the server's RSS after a GC grew by more than --rss-bound-mib between
// the end of the warm-up and the end of the run, or when a resource is left open after close.
import { fork } from 'node:child_process';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  RpcError,
  Status,
} from '../packages/core/dist/index.js';
import { loadMix } from '../packages/core/src/test-support/load-mix.mjs';

const MiB = 1024 * 1024;
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', {
  includeDirs: [fileURLToPath(new URL('../packages/core/src/test-support/protos', import.meta.url))],
});
const EchoService = defineService(protos, 'wirekit.test.v1.EchoService');

/**
 * The process's active resources (sockets, servers, timers, …), counted by type. process.stdout and stderr are
 * made on first use, so they are made before a baseline is taken: a log line is not a leak.
 */
function activeResources() {
  void process.stdout.fd;
  void process.stderr.fd;
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The types with more resources now than in `baseline`, e.g. `TCPSocketWrap +2`. */
function leftOver(baseline) {
  return [...activeResources()]
    .filter(([type, count]) => count > (baseline.get(type) ?? 0))
    .map(([type, count]) => `${type} +${count - (baseline.get(type) ?? 0)}`);
}

/** Waits until nothing is left over, a turn of the event loop at a time; returns what is still left after `turns`. */
async function settleResources(baseline, turns = 20_000) {
  for (let turn = 0; turn < turns && leftOver(baseline).length > 0; turn++) await nextTurn();
  return leftOver(baseline);
}

// ---- the server process ----------------------------------------------------------------------------------

/** The echo service of the core's tests (packages/core/src/test-support/echo-handlers.ts), as a plain object. */
const echoHandlers = {
  echo(request) {
    if (request.failWithCode !== 0) throw new RpcError(request.failWithCode, `failed as asked: ${request.message}`);
    return { message: request.message, sequence: request.sequence, payload: request.payload };
  },
  async *expand(request) {
    for (let index = 0; index < request.count; index++) {
      yield { message: `${request.message}-${index}`, sequence: BigInt(index), payload: new Uint8Array(request.payloadBytes) };
    }
  },
  async collect(requests) {
    const messages = [];
    let sequenceTotal = 0n;
    for await (const request of requests) {
      messages.push(request.message);
      sequenceTotal += request.sequence;
    }
    return { count: messages.length, joined: messages.join(','), sequenceTotal };
  },
  async *chat(requests) {
    for await (const request of requests) yield { message: request.message.toUpperCase(), sequence: request.sequence };
  },
};

async function serve() {
  let app;
  let baseline;
  process.on('message', async (message) => {
    if (message.type === 'memory') {
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ type: 'memory', rss, heapUsed, callsInFlight: app.callsInFlight });
    } else if (message.type === 'close') {
      await app.close();
      process.send({ type: 'closed', leftOver: await settleResources(baseline) });
      process.disconnect();
    }
  });
  // Taken after the listener above, which refs the IPC channel: the channel is the harness's, not the app's.
  baseline = activeResources();
  app = createApp({ shutdownSignals: [], logger: createSilentLogger() });
  app.addService(EchoService, echoHandlers);
  const { port } = await app.listen('127.0.0.1:0');
  process.send({ type: 'ready', port });
}

// ---- the load generator ----------------------------------------------------------------------------------

/** One round of the load test's mix over `clients`, counted into `served` and `errors`. */
async function round(clients, served, errors) {
  const count = (mode) => {
    served[mode] = (served[mode] ?? 0) + 1;
  };
  const watch = (mode, work, expectedCode) =>
    work.then(
      () => (expectedCode === undefined ? count(mode) : errors.unexpected.push(`${mode}: OK where ${Status[expectedCode]} was expected`)),
      (error) => {
        const { code, message } = RpcError.from(error);
        errors.byCode[Status[code]] = (errors.byCode[Status[code]] ?? 0) + 1;
        if (code === expectedCode) count(`${mode} ${Status[code]}`);
        else errors.unexpected.push(`${mode}: ${Status[code]} ${message}`);
      },
    );
  await loadMix(clients, watch);
}

/** Sends `message` to the server and resolves with its first answer of type `type`. */
function ask(server, message, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (answer) => {
      if (answer.type !== type) return;
      server.off('message', onMessage);
      server.off('exit', onExit);
      resolve(answer);
    };
    const onExit = (code) => reject(new Error(`the server exited (${code}) before answering ${message.type}`));
    server.on('message', onMessage);
    server.once('exit', onExit);
    server.send(message);
  });
}

async function soak() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '3' },
      'warmup-seconds': { type: 'string', default: '20' },
      'rss-bound-mib': { type: 'string', default: '32' },
    },
  });
  const minutes = Number(values.minutes);
  const warmUpMs = Number(values['warmup-seconds']) * 1000;
  const rssBoundMiB = Number(values['rss-bound-mib']);
  if (!(minutes > 0 && minutes <= 120)) throw new Error('--minutes takes a number from 0 to 120');
  if (!(warmUpMs >= 0 && warmUpMs < minutes * 60_000)) throw new Error('--warmup-seconds must be shorter than the run');
  if (!(rssBoundMiB > 0)) throw new Error('--rss-bound-mib takes a positive number');

  const server = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened`)));
  });
  const baseline = activeResources();
  const clients = Array.from({ length: 4 }, () =>
    createClient(EchoService, `127.0.0.1:${port}`, { grpcOptions: { 'grpc.use_local_subchannel_pool': 1 } }),
  );
  const served = {};
  const errors = { byCode: {}, unexpected: [] };
  const started = Date.now();
  const end = started + minutes * 60_000;
  let warm;
  let rounds = 0;
  const samples = [];
  console.log(`soak: ${minutes} min against a Wirekit server (pid ${server.pid}) on 127.0.0.1:${port}; warm-up ${warmUpMs / 1000} s`);
  while (Date.now() < end) {
    await round(clients, served, errors);
    rounds++;
    if (warm === undefined && Date.now() - started >= warmUpMs) {
      warm = await ask(server, { type: 'memory' }, 'memory');
      samples.push(warm.rss);
    } else if (warm !== undefined && rounds % 20 === 0) {
      samples.push((await ask(server, { type: 'memory' }, 'memory')).rss);
      const elapsed = Math.round((Date.now() - started) / 1000);
      console.log(
        `  ${elapsed} s: ${rounds} rounds, server RSS ${(samples.at(-1) / MiB).toFixed(1)} MiB, ${errors.unexpected.length} unexpected errors`,
      );
    }
  }
  const last = await ask(server, { type: 'memory' }, 'memory');
  for (const client of clients) closeClient(client);
  const clientLeftOver = await settleResources(baseline);
  const { leftOver: serverLeftOver } = await ask(server, { type: 'close' }, 'closed');
  // With nothing left open the server exits by itself once it let go of the IPC channel; otherwise it is stopped.
  const exited = new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
  if (serverLeftOver.length > 0) server.kill();
  await exited;
  const seconds = (Date.now() - started) / 1000;

  const calls = Object.values(served).reduce((sum, count) => sum + count, 0);
  const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;
  const rssGrowth = (last.rss - warm.rss) / MiB;
  console.log(`\n${rounds} rounds, ${calls} calls in ${seconds.toFixed(0)} s (${(calls / seconds).toFixed(0)} calls/s)`);
  console.log('calls served, by mode and outcome:');
  for (const [mode, count] of Object.entries(served).sort()) console.log(`  ${mode.padEnd(24)} ${count}`);
  console.log(`errors by code: ${JSON.stringify(errors.byCode)}; unexpected: ${errors.unexpected.length}`);
  for (const message of errors.unexpected.slice(0, 10)) console.log(`  ${message}`);
  console.log(
    `server RSS after GC: ${mib(warm.rss)} after warm-up, ${mib(last.rss)} at the end (${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} MiB; bound +${rssBoundMiB} MiB)`,
  );
  console.log(`  min ${mib(Math.min(...samples))}, max ${mib(Math.max(...samples))} over ${samples.length} samples`);
  console.log(`server heap after GC: ${mib(warm.heapUsed)} after warm-up, ${mib(last.heapUsed)} at the end`);
  console.log(`calls in flight on the server at the end: ${last.callsInFlight}`);
  console.log(`left open after close: server ${JSON.stringify(serverLeftOver)}, client ${JSON.stringify(clientLeftOver)}`);

  const failures = [];
  if (errors.unexpected.length > 0) failures.push(`${errors.unexpected.length} unexpected errors`);
  if (rssGrowth > rssBoundMiB) failures.push(`server RSS grew by ${rssGrowth.toFixed(1)} MiB (bound ${rssBoundMiB} MiB)`);
  if (serverLeftOver.length > 0 || clientLeftOver.length > 0) failures.push('resources left open after close');
  if (failures.length > 0) {
    console.log(`\nFAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nOK');
  }
}

if (process.argv.includes('--serve')) await serve();
else await soak();
