// The memory benchmark: does a Wirekit server (no middleware) hold its memory steady under load?
//
//   (a) unary: RSS after 1,000,000 calls at C=64 within 10% of its RSS after the first 100,000;
//   (b) server streaming to a slow reader: a 1 GiB stream (16,384 messages of 64 KiB) to a client that pauses
//       after every MiB, so HTTP/2 flow control must hold the server back, keeps the server's peak RSS under 200 MB.
//
// The server runs in its own process (this file, started with --serve) and reports its RSS over IPC; it samples
// its own RSS every 50 ms for the peak. The load comes from this process, one raw @grpc/grpc-js client.
//
//   node bench/memory.mjs           # full: both targets judged, writes docs/benchmarks-memory.json (minutes)
//   node bench/memory.mjs --quick   # 1,000 then 10,000 calls and a 32 MiB stream: checks the script works, seconds
//   options: --out FILE (JSON; none by default with --quick)
//
// Run after `tsc -b`: the server imports ../packages/core/dist.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Not strict: `npm run bench -- --rounds 5` hands every script of the suite the same flags.
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    serve: { type: 'boolean', default: false },
  },
  strict: false,
});

const MiB = 1024 * 1024;
const SAMPLE_MS = 50;

if (options.serve) await serve();
else await measure();

/** The server side: bench.v1.Echo on Wirekit, answering RSS requests and resetting its peak on demand. */
async function serve() {
  const { createApp, createSilentLogger } = await import('../packages/core/dist/index.js');
  const { Echo, echoHandlers } = await import('./servers/wirekit-echo.mjs');
  const app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
  app.addService(Echo, echoHandlers);
  const { port } = await app.listen('127.0.0.1:0');

  let peak = process.memoryUsage.rss();
  setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS).unref();

  const stop = async () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    await app.close({ graceMs: 0 });
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message?.type === 'rss') {
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      process.send({ type: 'rss', id: message.id, rss, peak });
      if (message.resetPeak) peak = rss;
    } else if (message?.type === 'stop') {
      void stop();
    }
  });
  process.on('disconnect', () => void stop());
  process.send({ type: 'ready', port });
}

/** The harness and load generator. */
async function measure() {
  const quick = options.quick;
  const out = options.out ?? (quick ? undefined : fileURLToPath(new URL('../docs/benchmarks-memory.json', import.meta.url)));
  const plan = quick
    ? { firstCalls: 1_000, totalCalls: 10_000, streamMessages: 512 }
    : { firstCalls: 100_000, totalCalls: 1_000_000, streamMessages: 16_384 };
  const concurrency = 64;
  const messageBytes = 64 * 1024;
  const pauseEveryMessages = 16; // the slow reader pauses after each MiB…
  const pauseMs = 5; // …for this long: at most ~200 MiB/s, well below what the server can write
  const limits = { unaryGrowth: 0.1, streamPeakBytes: 200 * 1000 * 1000 };
  const timeLimitMs = quick ? 150_000 : 60 * 60_000;

  const { createEchoClient, unary } = await import('./load.mjs');
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const timeLimit = setTimeout(() => {
    console.error(`memory: not done after ${timeLimitMs / 1000} s; stopping`);
    child.kill('SIGKILL');
    process.exit(2);
  }, timeLimitMs);

  const pending = new Map();
  let nextId = 0;
  const { port } = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'rss') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  /** The server's RSS now and its peak since the last reset; `resetPeak` starts a new peak from now. */
  const serverRss = (resetPeak = false) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ type: 'rss', id, resetPeak });
    });

  const client = createEchoClient(port);
  const payload = randomBytes(100);
  const deadlineMs = 60_000;
  const results = {};
  try {
    // (a) unary at C=64: RSS after the first calls, then after all of them.
    const first = await unary(client, { calls: plan.firstCalls, concurrency, payload, deadlineMs });
    const afterFirst = await serverRss();
    const rest = await unary(client, { calls: plan.totalCalls - plan.firstCalls, concurrency, payload, deadlineMs });
    const afterAll = await serverRss();
    const succeeded = first.calls + rest.calls;
    results.unary = {
      calls: plan.totalCalls,
      succeeded,
      errors: first.errors + rest.errors,
      firstError: first.firstError ?? rest.firstError,
      checkpointCalls: plan.firstCalls,
      rssAtCheckpointBytes: afterFirst.rss,
      rssAtEndBytes: afterAll.rss,
      growth: afterAll.rss / afterFirst.rss - 1,
      limit: `RSS after ${plan.totalCalls} calls ≤ ${1 + limits.unaryGrowth} × RSS after ${plan.firstCalls}`,
    };
    results.unary.correct = succeeded === plan.totalCalls && results.unary.errors === 0;
    results.unary.pass = results.unary.correct && results.unary.growth <= limits.unaryGrowth;

    // (b) one server stream to a slow reader.
    const before = await serverRss(true);
    const began = performance.now();
    const stream = await slowRead(client, {
      messages: plan.streamMessages,
      size: messageBytes,
      pauseEveryMessages,
      pauseMs,
      deadlineMs: 10 * deadlineMs,
    });
    const seconds = (performance.now() - began) / 1000;
    const afterStream = await serverRss();
    results.stream = {
      messages: plan.streamMessages,
      messageBytes,
      expectedBytes: plan.streamMessages * messageBytes,
      receivedMessages: stream.messages,
      receivedBytes: stream.bytes,
      wrongMessages: stream.wrong,
      error: stream.error,
      seconds,
      readerMiBPerSecond: stream.bytes / MiB / seconds,
      rssBeforeBytes: before.rss,
      peakRssBytes: afterStream.peak,
      limit: `peak RSS < ${limits.streamPeakBytes / 1e6} MB`,
    };
    results.stream.correct =
      stream.error === undefined &&
      stream.wrong === 0 &&
      stream.messages === plan.streamMessages &&
      stream.bytes === results.stream.expectedBytes;
    results.stream.pass = results.stream.correct && afterStream.peak < limits.streamPeakBytes;
  } finally {
    client.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' });
    await exited;
    clearTimeout(timeLimit);
  }

  const { unary: u, stream: s } = results;
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const verdict = (result) => (!result.correct ? 'FAIL (wrong answers)' : quick ? 'not judged (quick)' : result.pass ? 'PASS' : 'FAIL');
  console.log(
    `Node ${process.version}; Wirekit server, no middleware; ${quick ? 'quick: a check that the script works, not a measurement' : 'full run'}\n`,
  );
  console.log(
    `unary C=${concurrency}: RSS ${mb(u.rssAtCheckpointBytes)} after ${u.checkpointCalls} calls, ${mb(u.rssAtEndBytes)} after ${u.calls} ` +
      `(${(u.growth * 100).toFixed(1)}%; limit +${limits.unaryGrowth * 100}%), ${u.succeeded} calls succeeded, ${u.errors} errors: ${verdict(u)}`,
  );
  console.log(
    `server stream to a slow reader: ${s.receivedMessages} of ${s.messages} messages, ${s.receivedBytes} of ${s.expectedBytes} bytes ` +
      `in ${s.seconds.toFixed(1)} s (${s.readerMiBPerSecond.toFixed(0)} MiB/s); server RSS ${mb(s.rssBeforeBytes)} before, ` +
      `peak ${mb(s.peakRssBytes)} (limit ${limits.streamPeakBytes / 1e6} MB): ${verdict(s)}`,
  );
  for (const [name, result] of Object.entries(results)) {
    if (!result.correct) console.error(`memory: ${name}: ${result.firstError ?? result.error ?? 'incomplete'}`);
  }

  const correct = u.correct && s.correct;
  const ok = correct && (quick || (u.pass && s.pass));
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    const report = {
      quick,
      ok,
      correct,
      node: process.version,
      sampleMs: SAMPLE_MS,
      settings: { ...plan, concurrency, pauseEveryMessages, pauseMs },
      ...results,
    };
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nresults: ${out}`);
  }
  process.exitCode = ok ? 0 : 1;
}

/**
 * Asks for `messages` payloads of `size` bytes and reads them slowly: after every `pauseEveryMessages` the stream
 * is paused for `pauseMs`, so grpc-js stops reading and the server must wait on HTTP/2 flow control.
 */
async function slowRead(client, { messages, size, pauseEveryMessages, pauseMs, deadlineMs }) {
  const call = client.stub.ServerStream({ count: messages, size }, client.metadata(), { deadline: Date.now() + deadlineMs });
  const seen = { messages: 0, bytes: 0, wrong: 0, error: undefined };
  call.on('data', (payload) => {
    seen.messages++;
    seen.bytes += payload.data.length;
    if (payload.data.length !== size || payload.data[0] !== 0x61 || payload.data[size - 1] !== 0x61) seen.wrong++;
    if (seen.messages % pauseEveryMessages === 0) {
      call.pause();
      setTimeout(() => call.resume(), pauseMs);
    }
  });
  await new Promise((resolve) => {
    call.once('end', resolve);
    call.once('error', (error) => {
      seen.error = error.message;
      resolve();
    });
  });
  return seen;
}
