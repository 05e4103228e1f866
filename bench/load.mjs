// The load generator: one raw @grpc/grpc-js client, the same for every server, so only the server differs. Each
// workload makes a fixed number of calls, checks every answer, and counts what went wrong instead of throwing,
// so a run always ends and says which server failed how.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const protoPath = fileURLToPath(new URL('echo.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const { Echo } = grpc.loadPackageDefinition(definition).bench.v1;

/** A client of bench.v1.Echo on its own connection to `port` on 127.0.0.1. */
export function createEchoClient(port) {
  return new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
}

/** A tally of one workload: calls and messages that succeeded, errors and the first error's message. */
function tally() {
  return { calls: 0, messages: 0, errors: 0, firstError: undefined };
}

function fail(result, message) {
  result.errors++;
  result.firstError ??= message;
}

/** Runs `call` `calls` times, `concurrency` at a time; each resolves when its call succeeded, or throws. */
async function repeat(result, calls, concurrency, call) {
  let started = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      try {
        result.messages += await call();
        result.calls++;
      } catch (error) {
        fail(result, error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
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
      client.Unary({ data: payload }, { deadline: Date.now() + deadlineMs }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    if (!payload.equals(reply.data)) throw new Error('unary: the answer differs from the request');
    return 1;
  });
}

/** Server streaming: `calls` calls one after another, each asking for `messages` payloads of `size` bytes. */
export function serverStream(client, { calls, messages, size, deadlineMs }) {
  return repeat(tally(), calls, 1, () => {
    const call = client.ServerStream({ count: messages, size }, { deadline: Date.now() + deadlineMs });
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
      call = client.ClientStream({ deadline: Date.now() + deadlineMs }, (error, answer) => (error ? reject(error) : resolve(answer)));
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
    const call = client.Bidi({ deadline: Date.now() + deadlineMs });
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
