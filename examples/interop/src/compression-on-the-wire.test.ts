import { once } from 'node:events';
import { type ClientHttp2Session, connect, createServer, type Http2Session, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Status } from '@wirekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protos, type SimpleRequest, type SimpleResponse } from './gen/test.js';
import { createInteropClients, type InteropClients } from './interop-clients.js';
import { zeroPayload } from './payload.js';
import { type RunningServer, SERVER_NAMES, SERVERS } from './test-support/interop-servers.js';

// What the compression cases cannot see through a grpc-js client, read here from the HTTP/2 frames themselves:
// the `grpc-encoding` header and each message's compressed flag (the first byte of its 5-byte prefix).

interface RecordedCall {
  readonly encoding: string | undefined;
  readonly flags: readonly number[];
}

/** The compressed flag of every length-prefixed message in `body`. */
function messageFlags(body: Buffer): number[] {
  const flags: number[] = [];
  for (let offset = 0; offset + 5 <= body.length; offset += 5 + body.readUInt32BE(offset + 1)) flags.push(body.readUInt8(offset));
  return flags;
}

describe('the client_compressed cases on the wire: what Wirekit’s client sends', () => {
  const recorded: RecordedCall[] = [];
  const sessions = new Set<Http2Session>();
  const recorder = createServer();
  let clients: InteropClients;
  beforeAll(async () => {
    recorder.on('session', (session) => sessions.add(session));
    // A bare HTTP/2 endpoint that records each request and ends it UNIMPLEMENTED.
    recorder.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const encoding = headers['grpc-encoding'];
        recorded.push({ encoding: typeof encoding === 'string' ? encoding : undefined, flags: messageFlags(Buffer.concat(chunks)) });
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(Status.UNIMPLEMENTED), 'grpc-message': 'recorded' }));
        stream.end();
      });
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    clients = createInteropClients(`127.0.0.1:${(recorder.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    clients.close();
    for (const session of sessions) session.destroy();
    recorder.close();
  });

  it('the gzip channel sends every message gzipped, the plain channel none', async () => {
    const large = { expectCompressed: { value: true }, responseSize: 314_159, payload: zeroPayload(271_828) };
    await expect(clients.gzip.unaryCall(large)).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    await expect(
      clients.gzip.streamingInputCall([
        { expectCompressed: { value: true }, payload: zeroPayload(27_182) },
        { expectCompressed: { value: false }, payload: zeroPayload(45_904) },
      ]),
    ).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    await expect(clients.test.unaryCall({ ...large, expectCompressed: { value: false } })).rejects.toMatchObject({
      code: Status.UNIMPLEMENTED,
    });

    expect(recorded).toEqual([
      { encoding: 'gzip', flags: [1] },
      // grpc-js compresses per channel: the second message, which says expect_compressed: false, is gzipped too.
      { encoding: 'gzip', flags: [1, 1] },
      { encoding: undefined, flags: [0] },
    ]);
  });
});

describe.each(SERVER_NAMES)('the server_compressed cases on the wire: what the %s server sends', (serverName) => {
  let server: RunningServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await SERVERS[serverName](false);
    session = connect(`http://127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    session.close();
    await server.close();
  });

  it('answers response_compressed: true with an uncompressed message (grpc-js servers cannot compress)', async () => {
    const codec = protos.codec<SimpleRequest>('grpc.testing.SimpleRequest');
    const message = codec.encode({ ...codec.decode(new Uint8Array()), responseCompressed: { value: true }, responseSize: 1_000 });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.byteLength, 1);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.testing.TestService/UnaryCall',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity,gzip,deflate',
    });
    stream.end(Buffer.concat([prefix, message]));
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [[headers], [trailers]] = await Promise.all([
      once(stream, 'response') as Promise<[IncomingHttpHeaders]>,
      once(stream, 'trailers') as Promise<[IncomingHttpHeaders]>,
    ]);
    const body = Buffer.concat(chunks);

    expect(trailers['grpc-status']).toBe('0');
    expect(headers['grpc-encoding'] ?? 'identity').toBe('identity');
    expect(messageFlags(body)).toEqual([0]);
    const response = protos.codec<SimpleResponse>('grpc.testing.SimpleResponse').decode(body.subarray(5));
    expect(response.payload?.body.byteLength).toBe(1_000);
  });
});
