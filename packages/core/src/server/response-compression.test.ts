import { gunzipSync, inflateSync } from 'node:zlib';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../client/channel.js';
import { closeClient, createClient } from '../client/create-client.js';
import { frame, RawGrpcSession, type RawReply } from '../hostile/test-support/raw-grpc-session.js';
import { createSilentLogger } from '../logger.js';
import { Status } from '../status.js';
import { type EchoResponse, EchoService } from '../test-support/echo.generated.js';
import { type App, createApp } from './app.js';
import { compressResponse, type ResponseCompressionOptions } from './response-compression.js';

const ECHO = EchoService.methods.Echo;
const EXPAND = EchoService.methods.Expand;

/** Each response message of a raw reply: its compressed flag and its decoded (decompressed) message. */
function responseMessages(reply: RawReply, algorithm: 'gzip' | 'deflate'): { flag: number; message: EchoResponse }[] {
  const messages: { flag: number; message: EchoResponse }[] = [];
  for (let offset = 0; offset < reply.body.length; ) {
    const flag = reply.body.readUInt8(offset);
    const length = reply.body.readUInt32BE(offset + 1);
    const payload = reply.body.subarray(offset + 5, offset + 5 + length);
    const bytes = flag === 0 ? payload : algorithm === 'gzip' ? gunzipSync(payload) : inflateSync(payload);
    messages.push({ flag, message: EXPAND.responseCodec.decode(bytes) });
    offset += 5 + length;
  }
  return messages;
}

describe('response compression', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** A server whose Echo answers with `size` bytes of payload and Expand with `count` messages of `payload_bytes`. */
  async function serve(responseCompression: ResponseCompressionOptions, maxSendMessageBytes?: number): Promise<string> {
    app = createApp({
      logger: createSilentLogger(),
      shutdownSignals: [],
      health: false,
      reflection: false,
      responseCompression,
      ...(maxSendMessageBytes === undefined ? {} : { maxSendMessageBytes }),
    });
    app.addService(EchoService, {
      echo: (request) => ({ message: request.message, sequence: request.sequence, payload: new Uint8Array(Number(request.sequence)) }),
      expand: async function* (request) {
        for (let index = 0; index < request.count; index++) {
          const message = { message: `#${index}`, sequence: BigInt(index), payload: new Uint8Array(request.payloadBytes).fill(7) };
          // 'alternate': the handler chooses, compressing the even messages only, whatever their size.
          yield request.message === 'alternate' ? compressResponse(message, index % 2 === 0) : message;
        }
      },
      collect: async () => ({ count: 0, joined: '', sequenceTotal: 0n }),
      chat: async function* () {},
    });
    return (await app.listen('127.0.0.1:0')).address;
  }

  async function rawExpand(
    address: string,
    acceptEncoding: string | undefined,
    payloadBytes: number[],
    { message = 'x', count = 2 } = {},
  ): Promise<RawReply[]> {
    const session = await RawGrpcSession.connect(address);
    try {
      return await Promise.all(
        payloadBytes.map((bytes) =>
          session.call(
            EXPAND.path,
            frame(EXPAND.requestCodec.encode({ message, count, payloadBytes: bytes, failWithCode: 0 })),
            acceptEncoding === undefined ? {} : { 'grpc-accept-encoding': acceptEncoding },
          ),
        ),
      );
    } finally {
      await session.close();
    }
  }

  it.each(['gzip', 'deflate'] as const)(
    'sends %s-compressed messages with grpc-encoding to a client that accepts it, and small ones plain',
    async (algorithm) => {
      const address = await serve({ algorithm, minBytes: 1024 });
      const [large, small] = await rawExpand(address, `identity,deflate,gzip`, [64 * 1024, 10]);
      for (const reply of [large, small]) {
        expect(reply?.status).toBe(Status.OK);
        expect(reply?.headers['grpc-encoding']).toBe(algorithm);
      }
      const largeMessages = responseMessages(large as RawReply, algorithm);
      expect(largeMessages.map(({ flag }) => flag)).toEqual([1, 1]);
      expect(largeMessages.map(({ message }) => [message.message, message.payload.byteLength])).toEqual([
        ['#0', 64 * 1024],
        ['#1', 64 * 1024],
      ]);
      expect(largeMessages[0]?.message.payload.every((byte) => byte === 7)).toBe(true);
      // Runs of one byte compress well: the wire carries far less than the 128 KiB of payload.
      expect((large as RawReply).body.length).toBeLessThan(4096);
      expect(responseMessages(small as RawReply, algorithm).map(({ flag, message }) => [flag, message.payload.byteLength])).toEqual([
        [0, 10],
        [0, 10],
      ]);
    },
  );

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY, 10],
    ['the default', undefined, 64 * 1024],
  ])('lets a handler choose per message with compressResponse, over minBytes %s', async (_name, minBytes, payloadBytes) => {
    const address = await serve(minBytes === undefined ? { algorithm: 'gzip' } : { algorithm: 'gzip', minBytes });
    const [reply] = await rawExpand(address, 'gzip', [payloadBytes], { message: 'alternate', count: 4 });
    expect(reply?.headers['grpc-encoding']).toBe('gzip');
    expect(
      responseMessages(reply as RawReply, 'gzip').map(({ flag, message }) => [flag, message.message, message.payload.byteLength]),
    ).toEqual([
      [1, '#0', payloadBytes],
      [0, '#1', payloadBytes],
      [1, '#2', payloadBytes],
      [0, '#3', payloadBytes],
    ]);
  });

  it('compresses nothing with minBytes Infinity unless a message is marked', async () => {
    const address = await serve({ algorithm: 'gzip', minBytes: Number.POSITIVE_INFINITY });
    const [reply] = await rawExpand(address, 'gzip', [64 * 1024]);
    expect(responseMessages(reply as RawReply, 'gzip').map(({ flag }) => flag)).toEqual([0, 0]);
  });

  it('sends plain messages and grpc-encoding identity to a client that does not accept the algorithm', async () => {
    const address = await serve({ algorithm: 'gzip', minBytes: 0 });
    const [identityOnly, noHeader, deflateOnly] = await Promise.all([
      rawExpand(address, 'identity', [4096]),
      rawExpand(address, undefined, [4096]),
      rawExpand(address, 'deflate', [4096]),
    ]);
    for (const [reply] of [identityOnly, noHeader, deflateOnly]) {
      expect(reply?.status).toBe(Status.OK);
      expect(reply?.headers['grpc-encoding']).toBe('identity');
      expect(responseMessages(reply as RawReply, 'gzip').map(({ flag }) => flag)).toEqual([0, 0]);
    }
  });

  it('is read back by a Wirekit (grpc-js) client, unary and streaming', async () => {
    const address = await serve({ algorithm: 'gzip', minBytes: 0 });
    const client = createClient(EchoService, createChannel(address));
    try {
      const echoed = await client.echo({ message: 'hello', sequence: 5000n, payload: new Uint8Array(), failWithCode: 0 });
      expect([echoed.message, echoed.payload.byteLength]).toEqual(['hello', 5000]);
      const streamed: number[] = [];
      for await (const message of client.expand({ message: 'x', count: 50, payloadBytes: 100_000 })) {
        streamed.push(message.payload.byteLength);
      }
      expect(streamed).toEqual(Array(50).fill(100_000));
    } finally {
      closeClient(client);
    }
  });

  it('refuses a message over the send limit by its uncompressed size, however well it compresses', async () => {
    const address = await serve({ algorithm: 'gzip', minBytes: 0 }, 10_000);
    const client = createClient(EchoService, createChannel(address));
    try {
      await expect(client.echo({ message: 'big', sequence: 20_000n, payload: new Uint8Array(), failWithCode: 0 })).rejects.toMatchObject({
        code: Status.RESOURCE_EXHAUSTED,
      });
      const small = await client.echo({ message: 'small', sequence: 9_000n, payload: new Uint8Array(), failWithCode: 0 });
      expect(small.payload.byteLength).toBe(9_000);
    } finally {
      closeClient(client);
    }
  });

  it('leaves another grpc-js server in the same process uncompressed', async () => {
    await serve({ algorithm: 'gzip', minBytes: 0 });
    const plain = new Server();
    plain.addService(
      {
        Echo: {
          path: ECHO.path,
          requestStream: false,
          responseStream: false,
          requestSerialize: (bytes: Buffer) => bytes,
          requestDeserialize: (bytes: Buffer) => bytes,
          responseSerialize: (bytes: Buffer) => bytes,
          responseDeserialize: (bytes: Buffer) => bytes,
        },
      },
      {
        Echo: (_call: unknown, callback: (error: null, response: Buffer) => void) =>
          callback(null, Buffer.from(ECHO.responseCodec.encode({ message: 'plain', sequence: 0n, payload: new Uint8Array(4096) }))),
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      plain.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const session = await RawGrpcSession.connect(`127.0.0.1:${port}`);
    try {
      const reply = await session.call(
        ECHO.path,
        frame(ECHO.requestCodec.encode({ message: '', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })),
        { 'grpc-accept-encoding': 'identity,gzip' },
      );
      expect(reply.status).toBe(Status.OK);
      expect(reply.headers['grpc-encoding']).toBe('identity');
      expect(reply.body.readUInt8(0)).toBe(0);
    } finally {
      await session.close();
      plain.forceShutdown();
    }
  });

  it('refuses an unknown algorithm when the app starts, naming the choices', async () => {
    const misconfigured = createApp({
      logger: createSilentLogger(),
      shutdownSignals: [],
      responseCompression: { algorithm: 'br' as 'gzip' },
    });
    misconfigured.addService(EchoService, {
      echo: () => ({}),
      expand: async function* () {},
      collect: async () => ({}),
      chat: async function* () {},
    });
    await expect(misconfigured.listen('127.0.0.1:0')).rejects.toThrow(
      `responseCompression.algorithm must be 'gzip' or 'deflate', not "br"`,
    );
    await misconfigured.close();
  });
});
