import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import {
  CHAT,
  COLLECT,
  ECHO,
  EXPAND,
  echoRequestBytes,
  type HostileApp,
  MAX_REQUEST_BYTES,
  startHostileApp,
} from './test-support/hostile-app.js';
import { type ProcessWatch, settledHeapBytes, watchProcess } from './test-support/process-watch.js';
import { frame, RawGrpcSession, replyOf } from './test-support/raw-grpc-session.js';
import { until } from './test-support/until.js';

const PAYLOAD_BYTES = 16 * 1024;

describe('clients that open streams and never read or never write', () => {
  let app: HostileApp;
  let watch: ProcessWatch;

  beforeAll(async () => {
    watch = watchProcess();
    app = await startHostileApp();
  });
  afterAll(async () => {
    await app.close();
    watch.stop();
    expect(watch.uncaughtExceptions).toEqual([]);
    expect(watch.unhandledRejections).toEqual([]);
  });

  it('a client that never reads a server stream: the handler is paused by flow control, then ended at the deadline', async () => {
    const raw = await RawGrpcSession.connect(app.address);
    const aborts = app.counts.aborts.length;
    const before = app.counts.expanded;
    const request = EchoService.methods.Expand.requestCodec.encode({
      message: 'flood',
      count: 1_000_000,
      payloadBytes: PAYLOAD_BYTES,
      failWithCode: 0,
    });
    // No 'data' listener: the client takes nothing, so its HTTP/2 window fills and stays full.
    const stream = raw.open(EXPAND, { 'grpc-timeout': '300m' });
    stream.on('error', () => {});
    stream.end(frame(request));
    await until(() => app.counts.aborts.length > aborts);
    expect(app.counts.aborts.at(-1)).toBe(Status.DEADLINE_EXCEEDED);
    // What the server produced for a client that read nothing: the flow-control window and stream buffers, not a
    // million messages. (16 messages of 16 KiB were seen on this machine.)
    const produced = app.counts.expanded - before;
    expect(produced).toBeGreaterThan(0);
    expect(produced * PAYLOAD_BYTES).toBeLessThanOrEqual(1024 * 1024);
    await until(() => app.app.callsInFlight === 0);
    stream.destroy();
    await raw.close();
    await app.normalCall();
  });

  it.each([
    ['client streaming', COLLECT],
    ['bidi streaming', CHAT],
  ])('a client that never writes (%s): DEADLINE_EXCEEDED at the deadline, and the handler saw no message', async (_name, path) => {
    const raw = await RawGrpcSession.connect(app.address);
    const messages = app.counts.messages;
    const stream = raw.open(path, { 'grpc-timeout': '200m' });
    // Headers only: no message, no end of stream. The server answers without waiting for the client's end.
    const status = await new Promise<string | string[] | undefined>((resolve) => {
      stream.on('response', (headers) => resolve(headers['grpc-status']));
      stream.on('trailers', (trailers) => resolve(trailers['grpc-status']));
    });
    expect(Number(status)).toBe(Status.DEADLINE_EXCEEDED);
    expect(app.counts.aborts.at(-1)).toBe(Status.DEADLINE_EXCEEDED);
    expect(app.counts.messages).toBe(messages);
    await until(() => app.app.callsInFlight === 0);
    stream.close();
    await raw.close();
    await app.normalCall();
  });

  it('a client that cancels mid-stream: the handler is aborted with CANCELLED', async () => {
    const raw = await RawGrpcSession.connect(app.address);
    const messages = app.counts.messages;
    const stream = raw.open(CHAT);
    const reply = replyOf(stream);
    stream.write(frame(echoRequestBytes('one')));
    await until(() => app.counts.messages > messages);
    stream.close(http2.constants.NGHTTP2_CANCEL);
    expect((await reply).rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    await until(() => app.app.callsInFlight === 0);
    expect(app.counts.aborts.at(-1)).toBe(Status.CANCELLED);
    await raw.close();
    await app.normalCall();
  });

  it('200 idle streams on one connection, all ended at their deadline; none left in flight', async () => {
    const raw = await RawGrpcSession.connect(app.address);
    const aborts = app.counts.aborts.length;
    const streams = Array.from({ length: 200 }, (_, index) => {
      const stream = raw.open(index % 2 === 0 ? COLLECT : CHAT, { 'grpc-timeout': '300m' });
      stream.on('error', () => {});
      return stream;
    });
    await until(() => app.counts.aborts.length - aborts === streams.length);
    expect(new Set(app.counts.aborts.slice(aborts))).toEqual(new Set([Status.DEADLINE_EXCEEDED]));
    await until(() => app.app.callsInFlight === 0);
    for (const stream of streams) stream.close();
    await raw.close();
    await app.normalCall();
  });

  it('memory returns to its level after large hostile batches', async () => {
    // One batch: every kind of bad request, 1 000 calls, on a fresh connection that is closed afterwards.
    const batch = async (): Promise<void> => {
      const raw = await RawGrpcSession.connect(app.address);
      const bad = [
        frame(Buffer.from([0x0a, 0x7f, 0x61])), // a length past the end
        frame(Buffer.from([0x10, ...Buffer.alloc(11, 0xff)])), // a varint too long
        frame(Buffer.alloc(MAX_REQUEST_BYTES + 1)), // over the limit
        frame(Buffer.from([0x0a, 0x01]), { length: 9 }), // a lying prefix
        frame(echoRequestBytes('x'), { flag: 1 }), // compressed without an encoding
        frame(Buffer.alloc(2_000, 0x7b)), // groups nested too deep
      ];
      for (let round = 0; round < 25; round++) {
        await Promise.all([
          ...bad.map((body) => raw.call(ECHO, body)),
          ...bad.map((body) => raw.call(COLLECT, Buffer.concat([frame(echoRequestBytes('ok')), body]))),
          raw.call(`/${EchoService.fullName}/Nope`, frame(echoRequestBytes('x'))),
          raw.call(CHAT, frame(echoRequestBytes('x')), { 'grpc-timeout': 'soon' }),
          ...Array.from({ length: 26 }, () => raw.call(ECHO, frame(echoRequestBytes('fine')))),
        ]);
      }
      await raw.close();
      await until(() => app.app.callsInFlight === 0);
    };
    // The first batch warms up what is made once (compiled code, grpc-js and fast paths); later ones must not
    // add to the heap. Heap after full collections, not RSS, which the allocator gives back when it likes.
    await batch();
    const baseline = settledHeapBytes();
    const after: number[] = [];
    for (let index = 0; index < 2; index++) {
      await batch();
      after.push(settledHeapBytes());
    }
    const growth = Math.max(...after) - baseline;
    console.info(
      `heap after warm-up ${(baseline / 2 ** 20).toFixed(1)} MiB; after 2 more batches of 1 000 hostile calls: ${after.map((bytes) => (bytes / 2 ** 20).toFixed(1)).join(', ')} MiB`,
    );
    // 2 000 calls that each kept even 1 KiB would add 2 MiB; allow 1.5 MiB of noise.
    expect(growth).toBeLessThan(1.5 * 2 ** 20);
    await app.normalCall();
  });
});
