import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../status.js';
import { type EchoRequest, EchoService } from '../test-support/echo.generated.js';
import { COLLECT, DEPTH, ECHO, type HostileApp, NestingService, startHostileApp } from './test-support/hostile-app.js';
import { type ProcessWatch, watchProcess } from './test-support/process-watch.js';
import { frame, RawGrpcSession } from './test-support/raw-grpc-session.js';

const requestCodec = EchoService.methods.Echo.requestCodec;
const responseCodec = EchoService.methods.Echo.responseCodec;

/** What the server must do with these bytes: the same codec, run locally, is the oracle. */
function decodeLocally(bytes: Uint8Array): EchoRequest | undefined {
  try {
    return requestCodec.decode(bytes);
  } catch {
    return undefined;
  }
}

const echoRequest = fc.record({
  message: fc.string({ maxLength: 40 }),
  sequence: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  payload: fc.uint8Array({ maxLength: 40 }),
  failWithCode: fc.integer({ min: -1000, max: 1000 }),
});

/** A valid message's bytes, then damaged the ways a broken or malicious peer damages them. */
const mutatedBytes = fc
  .tuple(
    echoRequest.map((request) => Buffer.from(requestCodec.encode(request))),
    fc.constantFrom('flip', 'truncate', 'insert', 'wire-type', 'long-varint', 'length', 'duplicate'),
    fc.nat(),
    fc.uint8Array({ minLength: 1, maxLength: 12 }),
  )
  .map(([bytes, how, at, noise]) => {
    if (bytes.byteLength === 0) return Buffer.from(noise);
    const index = at % bytes.byteLength;
    const byte = noise[0] ?? 0;
    const copy = Buffer.from(bytes);
    switch (how) {
      case 'flip':
        copy[index] = (copy[index] ?? 0) ^ (byte || 1);
        return copy;
      case 'truncate':
        return copy.subarray(0, index);
      case 'insert':
        return Buffer.concat([copy.subarray(0, index), noise, copy.subarray(index)]);
      case 'wire-type':
        // The low three bits of a tag are its wire type; 6 and 7 do not exist, the others may not fit the field.
        copy[index] = ((copy[index] ?? 0) & ~7) | (byte & 7);
        return copy;
      case 'long-varint':
        // Eleven continuation bytes: longer than any varint may be.
        return Buffer.concat([copy.subarray(0, index), Buffer.from([0x10]), Buffer.alloc(11, 0xff), copy.subarray(index)]);
      case 'length':
        // A length-delimited field whose length runs past the end.
        return Buffer.concat([copy.subarray(0, index), Buffer.from([0x0a, 0x7f]), noise]);
      default:
        return Buffer.concat([copy, copy.subarray(index)]);
    }
  });

describe('hostile protobuf: random and mutated request bytes', () => {
  let app: HostileApp;
  let raw: RawGrpcSession;
  let watch: ProcessWatch;

  beforeAll(async () => {
    watch = watchProcess();
    app = await startHostileApp();
    raw = await RawGrpcSession.connect(app.address);
  });
  afterAll(async () => {
    await raw.close();
    await app.close();
    watch.stop();
  });

  async function expectServing(): Promise<void> {
    await app.normalCall();
    expect(app.app.callsInFlight).toBe(0);
    expect(watch.uncaughtExceptions).toEqual([]);
    expect(watch.unhandledRejections).toEqual([]);
  }

  /** Sends one unary request and checks the status against the local decode, and the echoed text when OK. */
  const outcomes = { ok: 0, internal: 0 };
  async function expectUnaryMatchesOracle(bytes: Uint8Array): Promise<void> {
    const expected = decodeLocally(bytes);
    const reply = await raw.call(ECHO, frame(bytes));
    outcomes[expected === undefined ? 'internal' : 'ok']++;
    if (expected === undefined) {
      expect(reply).toMatchObject({
        status: Status.INTERNAL,
        message: expect.stringMatching(/^could not parse the request as wirekit\.test\.v1\.EchoRequest: /) as string,
      });
    } else {
      expect(reply.status).toBe(Status.OK);
      // A mutation may decode into another valid message (protobuf does not check wire types it can read):
      // that is protobuf behaviour, and the handler must then see exactly what the bytes say.
      expect(responseCodec.decode(reply.body.subarray(5)).message).toBe(expected.message);
    }
  }

  it('random bytes: INTERNAL exactly when they are not an EchoRequest, OK with the decoded message otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), (bytes) => expectUnaryMatchesOracle(bytes)),
      { numRuns: 400 },
    );
    // Both answers were exercised, not one of them 400 times.
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(outcomes.internal).toBeGreaterThan(20);
    await expectServing();
  });

  it('mutated valid messages (flipped bits, truncation, noise, wrong wire types, bad varints, lying lengths)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes, (bytes) => expectUnaryMatchesOracle(bytes)),
      { numRuns: 600 },
    );
    await expectServing();
  });

  it('client streams with damaged messages: INTERNAL naming the first bad one, which the handler never receives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            echoRequest.map((request) => Buffer.from(requestCodec.encode(request))),
            mutatedBytes,
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (messages) => {
          const firstBad = messages.findIndex((bytes) => decodeLocally(bytes) === undefined);
          const before = app.counts.messages;
          const reply = await raw.call(COLLECT, Buffer.concat(messages.map((bytes) => frame(bytes))));
          if (firstBad === -1) {
            expect(reply.status).toBe(Status.OK);
            expect(app.counts.messages - before).toBe(messages.length);
          } else {
            expect(reply).toMatchObject({
              status: Status.INTERNAL,
              message: expect.stringMatching(
                new RegExp(`^could not parse request message #${firstBad + 1} as wirekit\\.test\\.v1\\.EchoRequest`),
              ) as string,
            });
            expect(app.counts.messages - before).toBe(firstBad);
          }
        },
      ),
      { numRuns: 200 },
    );
    await expectServing();
  });

  describe('deep nesting', () => {
    const nodeCodec = NestingService.methods.Depth.requestCodec;

    /** A Node nested `depth` levels deep (the outermost counts as 1), built as bytes so any depth can be sent. */
    function nested(depth: number): Buffer {
      let bytes = Buffer.from(nodeCodec.encode({ label: 'leaf' }));
      for (let level = 1; level < depth; level++) bytes = Buffer.concat([Buffer.from([0x12]), varint(bytes.byteLength), bytes]);
      return bytes;
    }

    it("up to protobuf's recursion limit (100, as protoc) is served; deeper is INTERNAL, without exhausting the stack", async () => {
      const depthOf = async (depth: number) => raw.call(DEPTH, frame(nested(depth)));
      const within = await depthOf(100);
      expect(within.status).toBe(Status.OK);
      expect(NestingService.methods.Depth.responseCodec.decode(within.body.subarray(5)).label).toBe('100');
      for (const depth of [102, 1_000, 12_000]) {
        expect(await depthOf(depth)).toMatchObject({
          status: Status.INTERNAL,
          message: expect.stringMatching(
            /could not parse the request as wirekit\.hostile\.v1\.Node: .*maximum nesting depth exceeded/,
          ) as string,
        });
      }
      await expectServing();
    });

    it('unknown fields nested as groups 60 000 deep: INTERNAL', async () => {
      // Field 15, wire type 3 (start group), over and over: no length to check, only depth.
      const reply = await raw.call(ECHO, frame(Buffer.alloc(60_000, 0x7b)));
      expect(reply).toMatchObject({ status: Status.INTERNAL, message: expect.stringMatching(/maximum nesting depth exceeded/) as string });
      await expectServing();
    });
  });
});

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
