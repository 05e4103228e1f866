import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call-context.js';
import type { EchoRequest } from '../test-support/echo.generated.js';
import { EchoService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';

const MESSAGE_BYTES = 64 * 1024;
const ONE_GIB = 1024 * 1024 * 1024;

describe('backpressure', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('pauses a server stream of 1 GiB for a slow reader, keeping memory bounded', async () => {
    let produced = 0;
    const payload = new Uint8Array(MESSAGE_BYTES).fill(7);
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          async *expand(request) {
            for (let index = 0; index < request.count; index++) {
              produced++;
              yield { payload };
            }
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const count = ONE_GIB / MESSAGE_BYTES;
    const client = running.client(EchoService, { maxReceiveMessageBytes: 1024 * 1024 });
    const iterator = client.expand({ count })[Symbol.asyncIterator]();
    let consumed = 0;
    let bytes = 0;
    const baseline = process.memoryUsage().rss;
    let peakGrowth = 0;
    let largestLead = 0;
    while (true) {
      const next = await iterator.next();
      if (next.done) break;
      consumed++;
      bytes += next.value.payload.byteLength;
      largestLead = Math.max(largestLead, produced - consumed);
      if (consumed % 256 === 0) peakGrowth = Math.max(peakGrowth, process.memoryUsage().rss - baseline);
      if (consumed === 16) {
        // The slow part: the reader stops for a while. Flow control must stop the generator, not buffer.
        const producedWhenPaused = produced;
        for (let turn = 0; turn < 200; turn++) await new Promise((resolve) => setImmediate(resolve));
        expect(produced - producedWhenPaused).toBeLessThan(200);
      }
    }
    expect(bytes).toBe(ONE_GIB);
    expect(consumed).toBe(count);
    // At most a few HTTP/2 windows and stream buffers ahead of the reader, never the whole stream.
    expect(largestLead).toBeLessThan(256);
    expect(peakGrowth).toBeLessThan(256 * 1024 * 1024);
    // A gigabyte through HTTP/2 takes ~15 s over TCP on a quiet 2-core machine, and over 30 s when it is busy.
  }, 120_000);

  it('holds a client stream back while the handler does not read, then delivers every message', async () => {
    let sent = 0;
    let sentWhenHandlerStartedReading = 0;
    const total = 2_000;
    running = await startApp({}, (app) =>
      app.addService(
        EchoService,
        {
          collect: async (requests: AsyncIterable<EchoRequest>, _ctx: CallContext) => {
            sentWhenHandlerStartedReading = await whenSettled(() => sent);
            let received = 0;
            for await (const _request of requests) received++;
            return { count: received };
          },
        },
        { allowUnimplemented: true },
      ),
    );
    const payload = new Uint8Array(MESSAGE_BYTES);
    async function* requests() {
      for (let index = 0; index < total; index++) {
        sent++;
        yield { payload };
      }
    }
    const summary = await running.client(EchoService).collect(requests());
    expect(summary.count).toBe(total);
    // While the handler did not read, flow control stopped the client well before the end of its stream.
    expect(sentWhenHandlerStartedReading).toBeLessThan(total / 2);
  });
});

/** Waits until a counter stops moving for many turns of the event loop, and returns its value. */
async function whenSettled(read: () => number): Promise<number> {
  let last = -1;
  let still = 0;
  while (still < 100) {
    await new Promise((resolve) => setImmediate(resolve));
    const value = read();
    still = value === last ? still + 1 : 0;
    last = value;
  }
  return last;
}
