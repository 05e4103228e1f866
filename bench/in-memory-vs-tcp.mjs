// In-memory transport vs loopback TCP: unary calls per second through the same app, in one process, in
// interleaved rounds, reported as the median of the per-round ratios (the machine is shared and noisy).
// Also: how long a test with 100 calls takes through @wirekit/testing, start to close.
import { fileURLToPath } from 'node:url';
import { closeClient, createApp, createClient, createSilentLogger, defineService, ProtoSet } from '../packages/core/dist/index.js';
import { createTestApp } from '../packages/testing/dist/index.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 5;
const calls = quick ? 200 : 20_000;
const concurrency = 32;

const protoDir = fileURLToPath(new URL('../packages/core/src/test-support/protos', import.meta.url));
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', { includeDirs: [protoDir] });
const EchoService = defineService(protos, 'wirekit.test.v1.EchoService');
const implementation = { echo: (request) => ({ message: request.message, sequence: request.sequence }) };
const request = { message: 'x'.repeat(100), sequence: 7n };

const app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
app.addService(EchoService, implementation, { allowUnimplemented: true });
const { address } = await app.listen('127.0.0.1:0');
const transport = await app.serveInMemory();
const clients = { tcp: createClient(EchoService, address), memory: createClient(EchoService, transport) };

async function callsPerSecond(client) {
  let started = 0;
  let answered = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < calls) {
        started++;
        const response = await client.echo(request);
        if (response.message !== request.message) throw new Error('wrong answer');
        answered++;
      }
    }),
  );
  if (answered !== calls) throw new Error(`answered ${answered} of ${calls}`);
  return calls / ((performance.now() - begin) / 1000);
}

// Warm-up, so both paths run JIT-compiled code.
await callsPerSecond(clients.tcp);
await callsPerSecond(clients.memory);

const results = [];
for (let round = 0; round < rounds; round++) {
  const tcp = await callsPerSecond(clients.tcp);
  const memory = await callsPerSecond(clients.memory);
  results.push({ tcp, memory, ratio: memory / tcp });
}
closeClient(clients.tcp);
transport.close();
await app.close({ graceMs: 0 });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// A test file's worth: start an app in memory, make 100 calls, close it.
const testFileTimes = [];
for (let round = 0; round < rounds; round++) {
  const begin = performance.now();
  const testApp = await createTestApp({ configure: (each) => each.addService(EchoService, implementation, { allowUnimplemented: true }) });
  const client = testApp.client(EchoService);
  for (let index = 0; index < 100; index++) await client.echo(request);
  await testApp.close();
  testFileTimes.push(performance.now() - begin);
}

const summary = {
  unaryCallsPerSecond: { tcp: Math.round(median(results.map((r) => r.tcp))), memory: Math.round(median(results.map((r) => r.memory))) },
  medianRatioMemoryOverTcp: Number(median(results.map((r) => r.ratio)).toFixed(2)),
  rounds,
  callsPerRound: calls,
  concurrency,
  hundredCallTestMs: Number(median(testFileTimes).toFixed(1)),
};
console.log(JSON.stringify(summary, null, 2));
