import { once } from 'node:events';
import { type ClientHttp2Session, connect, createServer, type Http2Session, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Status } from '@wirekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protos, type SimpleRequest, type SimpleResponse, type StreamingOutputCallRequest } from './gen/test.js';
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
  // Wirekit's server compresses each message its request asks for (CompressedResponse); grpc-js 1.14's cannot.
  const compresses = serverName === 'wirekit';

  /** One call with `message` (already encoded) to `rpc`, as a client that accepts gzip; its headers and body. */
  async function call(rpc: string, message: Uint8Array): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.byteLength, 1);
    const stream = session.request({
      ':method': 'POST',
      ':path': `/grpc.testing.TestService/${rpc}`,
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
    expect(trailers['grpc-status']).toBe('0');
    return { headers, body: Buffer.concat(chunks) };
  }

  it.each([true, false])('answers response_compressed: %s in UnaryCall with a message flagged accordingly', async (compressed) => {
    const codec = protos.codec<SimpleRequest>('grpc.testing.SimpleRequest');
    const request = codec.encode({ ...codec.decode(new Uint8Array()), responseCompressed: { value: compressed }, responseSize: 1_000 });
    const { headers, body } = await call('UnaryCall', request);

    expect(headers['grpc-encoding'] ?? 'identity').toBe(compresses ? 'gzip' : 'identity');
    expect(messageFlags(body)).toEqual([compresses && compressed ? 1 : 0]);
    const bytes = compresses && compressed ? gunzipSync(body.subarray(5)) : body.subarray(5);
    const response = protos.codec<SimpleResponse>('grpc.testing.SimpleResponse').decode(bytes);
    expect(response.payload?.body.byteLength).toBe(1_000);
  });

  it('flags each StreamingOutputCall response as its ResponseParameters.compressed asks', async () => {
    const codec = protos.codec<StreamingOutputCallRequest>('grpc.testing.StreamingOutputCallRequest');
    const request = codec.encode({
      ...codec.decode(new Uint8Array()),
      responseParameters: [true, false, true].map((compressed) => ({ size: 2_000, intervalUs: 0, compressed: { value: compressed } })),
    });
    const { headers, body } = await call('StreamingOutputCall', request);

    expect(headers['grpc-encoding'] ?? 'identity').toBe(compresses ? 'gzip' : 'identity');
    expect(messageFlags(body)).toEqual(compresses ? [1, 0, 1] : [0, 0, 0]);
  });
});
