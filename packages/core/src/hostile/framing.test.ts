import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { CHAT, COLLECT, ECHO, echoRequestBytes, type HostileApp, MAX_REQUEST_BYTES, startHostileApp } from './test-support/hostile-app.js';
import { type ProcessWatch, watchProcess } from './test-support/process-watch.js';
import { frame, RawGrpcSession } from './test-support/raw-grpc-session.js';

// Raw HTTP/2 against a real server: the gRPC frame prefix, the headers and the paths are the test's to choose.
// Each case asserts the exact status, that no handler ran when none should, and that a normal call still works.
describe('hostile framing, paths and headers', () => {
  let app: HostileApp;
  let raw: RawGrpcSession;
  let watch: ProcessWatch;
  const hello = (): Buffer => echoRequestBytes('hello');

  beforeAll(async () => {
    watch = watchProcess();
    app = await startHostileApp();
    raw = await RawGrpcSession.connect(app.address);
  });
  afterAll(async () => {
    await raw.close();
    await app.close();
    watch.stop();
    expect(watch.uncaughtExceptions).toEqual([]);
    expect(watch.unhandledRejections).toEqual([]);
  });

  async function expectServing(): Promise<void> {
    await app.normalCall();
    expect(app.app.callsInFlight).toBe(0);
    expect(watch.uncaughtExceptions).toEqual([]);
    expect(watch.unhandledRejections).toEqual([]);
  }

  describe('the compressed flag', () => {
    it.each([
      ['set, with no grpc-encoding', 1, {}, /marked compressed, but the call declared no grpc-encoding/],
      ['set, with grpc-encoding identity', 1, { 'grpc-encoding': 'identity' }, /marked compressed, but the call declared no grpc-encoding/],
      ['2 (a reserved bit)', 2, {}, /compressed flag 2; it must be 0 or 1/],
      ['0xff, even with grpc-encoding gzip', 0xff, { 'grpc-encoding': 'gzip' }, /compressed flag 255; it must be 0 or 1/],
    ])('%s: INTERNAL, and the handler never runs', async (_name, flag, headers, message) => {
      const calls = app.counts.calls;
      const reply = await raw.call(ECHO, frame(hello(), { flag }), headers);
      expect(reply).toMatchObject({ status: Status.INTERNAL, message: expect.stringMatching(message) as string });
      expect(app.counts.calls).toBe(calls);
      await expectServing();
    });

    it('set, with gzip bytes that are not gzip: INTERNAL', async () => {
      const reply = await raw.call(ECHO, frame(hello(), { flag: 1 }), { 'grpc-encoding': 'gzip' });
      expect(reply).toMatchObject({ status: Status.INTERNAL, message: 'Failed to decompress message' });
      await expectServing();
    });

    it('set, with an encoding the server does not support: UNIMPLEMENTED (doc/compression.md)', async () => {
      const reply = await raw.call(ECHO, frame(hello(), { flag: 1 }), { 'grpc-encoding': 'snappy' });
      expect(reply).toMatchObject({
        status: Status.UNIMPLEMENTED,
        message: 'Received message compressed with unsupported encoding "snappy"',
      });
      await expectServing();
    });

    it('set, with real gzip: OK; a gzip bomb that inflates past the limit: RESOURCE_EXHAUSTED', async () => {
      const fine = await raw.call(ECHO, frame(gzipSync(hello()), { flag: 1 }), { 'grpc-encoding': 'gzip' });
      expect(fine.status).toBe(Status.OK);
      const bomb = gzipSync(Buffer.alloc(16 * MAX_REQUEST_BYTES));
      expect(bomb.byteLength).toBeLessThan(MAX_REQUEST_BYTES);
      const reply = await raw.call(ECHO, frame(bomb, { flag: 1 }), { 'grpc-encoding': 'gzip' });
      expect(reply).toMatchObject({
        status: Status.RESOURCE_EXHAUSTED,
        message: expect.stringMatching(/decompresses to a size larger than 65536/) as string,
      });
      await expectServing();
    });
  });

  describe('a length prefix that lies', () => {
    const cut = frame(Buffer.from([0x0a, 0x05, 0x68]), { length: 7 });
    it.each([
      ['unary', ECHO, cut],
      ['unary, with only 3 bytes of the prefix', ECHO, Buffer.from([0, 0, 0])],
      ['client streaming, after a whole message', COLLECT, Buffer.concat([frame(Buffer.from([0x0a, 0x01, 0x61])), cut])],
      ['bidi streaming, after a whole message', CHAT, Buffer.concat([frame(Buffer.from([0x0a, 0x01, 0x61])), cut])],
    ])('%s: the stream ends inside a message, so INTERNAL, never OK', async (_name, path, body) => {
      const reply = await raw.call(path, body);
      expect(reply).toMatchObject({ status: Status.INTERNAL, message: expect.stringMatching(/ended inside a message/) as string });
      await expectServing();
    });

    it('a prefix announcing more than the size limit is refused when read, before the message: RESOURCE_EXHAUSTED', async () => {
      expect(await raw.call(COLLECT, frame(Buffer.alloc(10), { length: 0x4000_0000 }))).toMatchObject({
        status: Status.RESOURCE_EXHAUSTED,
        message: 'Received message larger than max (1073741824 vs 65536)',
      });
      await expectServing();
    });

    it('a unary call with no message, or two: UNIMPLEMENTED, as grpc-js answers', async () => {
      expect(await raw.call(ECHO, Buffer.alloc(0))).toMatchObject({
        status: Status.UNIMPLEMENTED,
        message: expect.stringMatching(/^Received no request message/) as string,
      });
      expect(await raw.call(ECHO, Buffer.concat([frame(hello()), frame(hello())]))).toMatchObject({
        status: Status.UNIMPLEMENTED,
        message: expect.stringMatching(/^Received a second request message/) as string,
      });
      await expectServing();
    });
  });

  describe('messages over the size limit', () => {
    it.each([
      ['unary', ECHO, frame(Buffer.alloc(MAX_REQUEST_BYTES + 1))],
      [
        'client streaming, after small messages',
        COLLECT,
        Buffer.concat([frame(hello()), frame(hello()), frame(Buffer.alloc(MAX_REQUEST_BYTES + 1))]),
      ],
      ['bidi, announced as 2 GiB - 1 with 10 bytes sent', CHAT, frame(Buffer.alloc(10), { length: 0x7fff_ffff })],
    ])('%s: RESOURCE_EXHAUSTED', async (_name, path, body) => {
      const reply = await raw.call(path, body);
      expect(reply).toMatchObject({
        status: Status.RESOURCE_EXHAUSTED,
        message: expect.stringMatching(/^Received message larger than max \(\d+ vs 65536\)$/) as string,
      });
      await expectServing();
    });

    it('exactly at the limit: OK', async () => {
      const payload = echoRequestBytes('x'.repeat(MAX_REQUEST_BYTES - 4));
      expect(payload.byteLength).toBe(MAX_REQUEST_BYTES);
      expect((await raw.call(ECHO, frame(payload))).status).toBe(Status.OK);
    });
  });

  it.each([
    ['an unknown method', `/${EchoService.fullName}/NoSuchMethod`],
    ['an unknown service', '/no.such.v1.Service/Echo'],
    ['a path with one segment', '/Echo'],
    ['an empty method name', `/${EchoService.fullName}/`],
    ['a path of slashes', '//'],
    ['a path with a query', `${ECHO}?x=1`],
  ])('%s: UNIMPLEMENTED, and no handler runs', async (_name, path) => {
    const calls = app.counts.calls;
    const reply = await raw.call(path, frame(hello()));
    expect(reply).toMatchObject({ status: Status.UNIMPLEMENTED, message: `The server does not implement the method ${path}` });
    expect(app.counts.calls).toBe(calls);
    await expectServing();
  });

  describe('grpc-timeout', () => {
    it.each(['abc', '10x', '', '1.5', '123456789', 'S', 'H1', '-S'])('malformed %j: INTERNAL, and no handler runs', async (value) => {
      const calls = app.counts.calls;
      expect(await raw.call(ECHO, frame(hello()), { 'grpc-timeout': value })).toMatchObject({
        status: Status.INTERNAL,
        message: `Invalid grpc-timeout value "${value}"`,
      });
      expect(app.counts.calls).toBe(calls);
      await expectServing();
    });

    it('any printable value: INTERNAL exactly when grpc-js finds no "<1-8 digits><unit>" in it, else served', async () => {
      // grpc-js's pattern is unanchored: "-1S" and "123456789S" hold a valid timeout ("1S", "23456789S") and are
      // served with it. A value that holds one is served (OK) or expires (DEADLINE_EXCEEDED, for "0n" and kin).
      const pattern = /(\d{1,8})\s*([HMSmun])/;
      const value = fc
        .oneof(fc.string({ unit: fc.constantFrom(...'0123456789HMSmun -.x'), maxLength: 12 }), fc.string({ maxLength: 12 }))
        .filter(
          // HTTP/2 trims header values, and grpc-js ignores a blank one.
          (text) => text === text.trim(),
        );
      await fc.assert(
        fc.asyncProperty(value, async (timeout) => {
          const reply = await raw.call(ECHO, frame(hello()), { 'grpc-timeout': timeout });
          if (pattern.test(timeout)) expect([Status.OK, Status.DEADLINE_EXCEEDED]).toContain(reply.status);
          else expect(reply).toMatchObject({ status: Status.INTERNAL, message: `Invalid grpc-timeout value "${timeout}"` });
        }),
        { numRuns: 150 },
      );
      await expectServing();
    });
  });

  describe('metadata', () => {
    it('over the header limits: the stream is refused by HTTP/2 before any handler runs; new connections are served', async () => {
      const calls = app.counts.calls;
      for (const headers of [
        { 'x-big': 'a'.repeat(100_000) },
        Object.fromEntries(Array.from({ length: 1_000 }, (_, index) => [`x-header-${index}`, 'v'])),
      ]) {
        const own = await RawGrpcSession.connect(app.address);
        const reply = await own.call(ECHO, frame(hello()), headers);
        // REFUSED_STREAM (7) or ENHANCE_YOUR_CALM (11): grpc clients report UNAVAILABLE or RESOURCE_EXHAUSTED.
        expect(reply.status).toBeUndefined();
        expect([7, 11]).toContain(reply.rstCode);
        await own.close();
      }
      expect(app.counts.calls).toBe(calls);
      await expectServing();
    });

    it('malformed values are dropped or kept as bytes, never fatal', async () => {
      for (const headers of [
        { 'x-latin1': '\u00e9t\u00e9' },
        { 'x-tab': 'a\tb' },
        { 'x-data-bin': '%%%not base64' },
        { 'grpc-status': '5', 'grpc-message': 'sent by the client' },
        { 'x-proto': '__proto__', __proto__: 'x' },
      ]) {
        expect((await raw.call(ECHO, frame(hello()), headers)).status).toBe(Status.OK);
      }
      await expectServing();
    });
  });

  it('arbitrary bodies after a valid prefix: a sensible status, never OK for a cut frame, and the server keeps serving', async () => {
    const allowed = [Status.OK, Status.INTERNAL, Status.UNIMPLEMENTED, Status.RESOURCE_EXHAUSTED];
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((payload) => frame(payload)),
      fc
        .record({ payload: fc.uint8Array({ maxLength: 40 }), flag: fc.integer({ min: 0, max: 3 }), delta: fc.integer({ min: -3, max: 3 }) })
        .map(({ payload, flag, delta }) => frame(payload, { flag, length: Math.max(0, payload.byteLength + delta) })),
      fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(ECHO, COLLECT, CHAT), fc.array(piece, { maxLength: 4 }), async (path, pieces) => {
        const body = Buffer.concat(pieces);
        const reply = await raw.call(path, body);
        expect(allowed).toContain(reply.status);
        if (!wholeFrames(body)) expect(reply.status).not.toBe(Status.OK);
      }),
      { numRuns: 300 },
    );
    await expectServing();
  });
});

/** Whether `body` is a sequence of complete, uncompressed frames. */
function wholeFrames(body: Buffer): boolean {
  let offset = 0;
  while (offset < body.byteLength) {
    if (offset + 5 > body.byteLength || body[offset] !== 0) return false;
    offset += 5 + body.readUInt32BE(offset + 1);
  }
  return offset === body.byteLength;
}
