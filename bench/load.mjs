// The load generator: one raw @grpc/grpc-js client, the same for every server, so only the server differs. Each
// workload makes a fixed number of calls, checks every answer, and counts what went wrong instead of throwing,
// so a run always ends and says which server failed how.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const protoPath = fileURLToPath(new URL('echo.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const { Echo } = grpc.loadPackageDefinition(definition).bench.v1;

/**
 * A client of bench.v1.Echo on its own connection to `port` on 127.0.0.1. `metadata` (header name to value) goes
 * with every call, e.g. `{ authorization: 'Bearer …' }` for a server that authenticates its callers.
 */
export function createEchoClient(port, metadata = {}) {
  const stub = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const headers = new grpc.Metadata();
  for (const [name, value] of Object.entries(metadata)) headers.set(name, value);
  return {
    stub,
    /** The metadata of one call: a copy each time, since grpc-js may add to what it is given. */
    metadata: () => headers.clone(),
    close: () => stub.close(),
  };
}

/** The value below which `fraction` of the sorted `values` fall (nearest rank); null for none. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/**
 * A tally of one workload: calls and messages that succeeded, errors and the first error's message, and the
 * median and 99th percentile of the successful calls' latency (from the call's start to its last answer).
 */
function tally() {
  return { calls: 0, messages: 0, errors: 0, firstError: undefined, p50Micros: null, p99Micros: null };
}

function fail(result, message) {
  result.errors++;
  result.firstError ??= message;
}

/**
 * Runs `call` `calls` times, `concurrency` at a time; each resolves with its message count when its call
 * succeeded, or throws. Each successful call's latency is kept for the percentiles.
 */
async function repeat(result, calls, concurrency, call) {
  let started = 0;
  const latencies = new Float64Array(calls);
  let timed = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      const begin = performance.now();
      try {
        // Awaited before adding: `result.messages += await call()` would read the total before the await and
        // lose the other workers' counts.
        const messages = await call();
        latencies[timed++] = (performance.now() - begin) * 1000;
        result.messages += messages;
        result.calls++;
      } catch (error) {
        fail(result, error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
  const sorted = latencies.subarray(0, timed).sort();
  result.p50Micros = percentile(sorted, 0.5);
  result.p99Micros = percentile(sorted, 0.99);
  return result;
}

/** Settles when a streaming call ends (resolving) or fails (rejecting), whichever comes first. */
function settled(call, check) {
  return new Promise((resolve, reject) => {
    call.once('error', reject);
    call.once('end', () => {
      try {
        resolve(check());
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Writes `count` messages with backpressure and half-closes, unless the call settles (fails) first. */
async function writeAll(call, count, message, settlement) {
  let over = false;
  const stop = settlement.then(
    () => {
      over = true;
    },
    () => {
      over = true;
    },
  );
  for (let index = 0; index < count && !over; index++) {
    if (!call.write(message)) await Promise.race([new Promise((resolve) => call.once('drain', resolve)), stop]);
  }
  if (!over) call.end();
}

/** Unary echo: `calls` calls, `concurrency` in flight; each answer must be the bytes sent. */
export function unary(client, { calls, concurrency, payload, deadlineMs }) {
  return repeat(tally(), calls, concurrency, async () => {
    const reply = await new Promise((resolve, reject) =>
      client.stub.Unary({ data: payload }, client.metadata(), { deadline: Date.now() + deadlineMs }, (error, answer) =>
        error ? reject(error) : resolve(answer),
      ),
    );
    if (!payload.equals(reply.data)) throw new Error('unary: the answer differs from the request');
    return 1;
  });
}

/** Server streaming: `calls` calls one after another, each asking for `messages` payloads of `size` bytes. */
export function serverStream(client, { calls, messages, size, deadlineMs }) {
  return repeat(tally(), calls, 1, () => {
    const call = client.stub.ServerStream({ count: messages, size }, client.metadata(), { deadline: Date.now() + deadlineMs });
    let received = 0;
    call.on('data', (payload) => {
      if (payload.data.length === size) received++;
    });
    return settled(call, () => {
      if (received !== messages) throw new Error(`server stream: ${received} of ${messages} payloads of ${size} bytes`);
      return received;
    });
  });
}

/** Client streaming: `calls` calls one after another, each sending `messages` payloads; the summary must count them. */
export function clientStream(client, { calls, messages, payload, deadlineMs }) {
  return repeat(tally(), calls, 1, async () => {
    let call;
    const summary = new Promise((resolve, reject) => {
      call = client.stub.ClientStream(client.metadata(), { deadline: Date.now() + deadlineMs }, (error, answer) =>
        error ? reject(error) : resolve(answer),
      );
    });
    await writeAll(call, messages, { data: payload }, summary);
    const { count, bytes } = await summary;
    if (count !== messages || bytes !== messages * payload.length) {
      throw new Error(
        `client stream: summary says ${count} payloads and ${bytes} bytes, sent ${messages} and ${messages * payload.length}`,
      );
    }
    return messages;
  });
}

/** Bidi ping-pong: `calls` calls one after another, each sending `messages` payloads, the next only after the echo. */
export function bidi(client, { calls, messages, payload, deadlineMs }) {
  return repeat(tally(), calls, 1, () => {
    const call = client.stub.Bidi(client.metadata(), { deadline: Date.now() + deadlineMs });
    let received = 0;
    let wrong = 0;
    call.on('data', (reply) => {
      if (!payload.equals(reply.data)) wrong++;
      received++;
      if (received < messages) call.write({ data: payload });
      else call.end();
    });
    call.write({ data: payload });
    return settled(call, () => {
      if (received !== messages || wrong > 0) throw new Error(`bidi: ${received - wrong} of ${messages} echoes right`);
      return received;
    });
  });
}
