import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../client/channel.js';
import { closeClient, createClient } from '../client/create-client.js';
import { frame, RawGrpcSession } from '../hostile/test-support/raw-grpc-session.js';
import { createSilentLogger } from '../logger.js';
import { Status } from '../status.js';
import { type EchoRequest, EchoService } from '../test-support/echo.generated.js';
import { type App, createApp } from './app.js';
import { receivedCompressed } from './compressed-requests.js';

const request = (message: string): EchoRequest => ({ message, sequence: 0n, payload: new Uint8Array(64), failWithCode: 0 });

describe('receivedCompressed: whether a request message arrived compressed', () => {
  let app: App;
  let address: string;
  // What each handler saw, per message: its text and whether it arrived compressed.
  const seen: [string, boolean][] = [];

  beforeAll(async () => {
    app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
    app.addService(EchoService, {
      echo: (message) => {
        seen.push([message.message, receivedCompressed(message)]);
        return { message: message.message, sequence: 0n, payload: new Uint8Array() };
      },
      expand: async function* () {},
      collect: async (messages) => {
        for await (const message of messages) seen.push([message.message, receivedCompressed(message)]);
        return { count: 0, joined: '', sequenceTotal: 0n };
      },
      chat: async function* () {},
    });
    address = `127.0.0.1:${(await app.listen('127.0.0.1:0')).port}`;
  });
  afterAll(() => app.close());

  it('is true for gzipped messages and false for plain ones, in unary and streaming calls', async () => {
    seen.length = 0;
    const plain = createClient(EchoService, createChannel(address));
    const gzip = createClient(EchoService, createChannel(address, { compression: 'gzip' }));
    try {
      await gzip.echo(request('gzipped unary'));
      await plain.echo(request('plain unary'));
      await gzip.collect([request('gzipped 1'), request('gzipped 2')]);
      await plain.collect([request('plain 1')]);
    } finally {
      closeClient(plain);
      closeClient(gzip);
    }
    expect(seen).toEqual([
      ['gzipped unary', true],
      ['plain unary', false],
      ['gzipped 1', true],
      ['gzipped 2', true],
      ['plain 1', false],
    ]);
  });

  it('is false over the in-memory transport, which compresses nothing', async () => {
    seen.length = 0;
    const memoryApp = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
    memoryApp.addService(EchoService, {
      echo: (message) => {
        seen.push([message.message, receivedCompressed(message)]);
        return { message: message.message, sequence: 0n, payload: new Uint8Array() };
      },
      expand: async function* () {},
      collect: async () => ({ count: 0, joined: '', sequenceTotal: 0n }),
      chat: async function* () {},
    });
    const client = createClient(EchoService, await memoryApp.serveInMemory());
    try {
      await client.echo(request('in memory'));
    } finally {
      closeClient(client);
      await memoryApp.close();
    }
    expect(seen).toEqual([['in memory', false]]);
  });
});

describe('the frame guard acts on Wirekit calls only', () => {
  it('a plain grpc-js server in the same process keeps grpc-js’s own handling of a wrongly flagged message', async () => {
    // A Wirekit app has been started in this process (above), so the guard is installed on grpc-js's call class.
    const guarded = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
    guarded.addService(EchoService, {
      echo: (message) => ({ message: message.message, sequence: 0n, payload: new Uint8Array() }),
      expand: async function* () {},
      collect: async () => ({ count: 0, joined: '', sequenceTotal: 0n }),
      chat: async function* () {},
    });
    const wirekitPort = (await guarded.listen('127.0.0.1:0')).port;

    const plain = new Server();
    const definition: ServiceDefinition = {
      Echo: {
        path: EchoService.methods.Echo.path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    };
    plain.addService(definition, {
      Echo: (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, Buffer.alloc(0)),
    });
    const plainPort = await new Promise<number>((resolve, reject) =>
      plain.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );

    const body = frame(Buffer.from(EchoService.methods.Echo.requestCodec.encode(request('flagged'))), { flag: 1 });
    const toWirekit = await RawGrpcSession.connect(`127.0.0.1:${wirekitPort}`);
    const toPlain = await RawGrpcSession.connect(`127.0.0.1:${plainPort}`);
    try {
      expect(await toWirekit.call(EchoService.methods.Echo.path, body)).toMatchObject({ status: Status.INTERNAL });
      // grpc-js reads the flagged bytes as uncompressed and answers OK: not Wirekit's to change.
      expect(await toPlain.call(EchoService.methods.Echo.path, body)).toMatchObject({ status: Status.OK });
    } finally {
      await toWirekit.close();
      await toPlain.close();
      await guarded.close();
      await new Promise<void>((resolve) => plain.tryShutdown(() => resolve()));
    }
  });
});
