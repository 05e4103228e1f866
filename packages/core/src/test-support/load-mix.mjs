// The load mix of packages/core/src/server/load.test.ts and bench/soak.mjs, written once. Plain ESM, so the soak
// (which runs over dist, with no TypeScript step) and the test (over src) share it; load-mix.d.mts types it.

// gRPC status codes, fixed by the protocol (doc/statuscodes.md).
const CANCELLED = 1;
const NOT_FOUND = 5;

/**
 * One round of the mix, all at once over `clients` (Echo clients of wirekit.test.v1.EchoService): 300 unary calls
 * (16 of them asking for NOT_FOUND, which is expected), 16 server streams of 32 messages (4 abandoned by the client
 * after 10), 16 client streams of 32 messages, and 16 bidi streams of 32 messages (4 cancelled by the client
 * halfway, CANCELLED expected). Each call is handed to `watch(mode, work, expectedCode)`, which counts how it ended;
 * a wrong answer rejects its work with an Error saying what was wrong.
 */
export async function loadMix(clients, watch) {
  const client = (index) => clients[index % clients.length];
  const calls = [];
  for (let index = 0; index < 300; index++) {
    const fails = index % 19 === 0;
    calls.push(
      watch(
        'unary',
        client(index)
          .echo({ message: `m${index}`, sequence: BigInt(index), failWithCode: fails ? NOT_FOUND : 0 })
          .then((reply) => {
            if (reply.message !== `m${index}`) throw new Error(`echoed ${reply.message}`);
          }),
        fails ? NOT_FOUND : undefined,
      ),
    );
  }
  for (let index = 0; index < 16; index++) {
    const abandon = index % 4 === 0;
    calls.push(
      watch(
        abandon ? 'serverStream abandoned' : 'serverStream',
        (async () => {
          let received = 0;
          for await (const reply of client(index).expand({ message: 's', count: 32, payloadBytes: 64 })) {
            if (reply.sequence !== BigInt(received)) throw new Error(`message ${reply.sequence} arrived as #${received}`);
            received++;
            if (abandon && received === 10) break;
          }
          if (received !== (abandon ? 10 : 32)) throw new Error(`${received} messages`);
        })(),
      ),
    );
    calls.push(
      watch(
        'clientStream',
        client(index)
          .collect(Array.from({ length: 32 }, (_, sequence) => ({ message: 'c', sequence: BigInt(sequence) })))
          .then((summary) => {
            if (summary.count !== 32 || summary.sequenceTotal !== 496n) throw new Error(`summary ${summary.count}`);
          }),
      ),
    );
    const cancel = index % 4 === 1;
    const controller = new AbortController();
    calls.push(
      watch(
        'bidi',
        (async () => {
          let received = 0;
          const requests = Array.from({ length: 32 }, (_, sequence) => ({ message: 'b', sequence: BigInt(sequence) }));
          for await (const reply of client(index).chat(requests, { signal: controller.signal })) {
            if (reply.message !== 'B') throw new Error(`answered ${reply.message}`);
            received++;
            if (cancel && received === 16) controller.abort();
          }
          if (received !== 32) throw new Error(`${received} answers`);
        })(),
        cancel ? CANCELLED : undefined,
      ),
    );
  }
  await Promise.all(calls);
}
