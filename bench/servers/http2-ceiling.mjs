// The ceiling: a bare node:http2 server that speaks just enough gRPC for bench.v1.Echo. It splits the body into
// 5-byte length-prefixed frames and answers real frames and `grpc-status` trailers, but decodes no protobuf where
// echoing bytes suffices (Unary, Bidi send each request frame back as it is). No gRPC server can do less work.
import http2 from 'node:http2';
import { reportToHarness } from './report-usage.mjs';

const OK = 0;
const INTERNAL = 13;
const UNIMPLEMENTED = 12;

/** Calls `onFrame` with each whole frame (header included) as the chunks that carry it arrive. */
function frameSplitter(onFrame) {
  let pending = null;
  return (chunk) => {
    const buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (buffer.length - offset >= 5) {
      if (buffer[offset] !== 0) throw new Error('compressed frames are not supported');
      const end = offset + 5 + buffer.readUInt32BE(offset + 1);
      if (end > buffer.length) break;
      onFrame(buffer.subarray(offset, end));
      offset = end;
    }
    pending = offset < buffer.length ? buffer.subarray(offset) : null;
  };
}

/** Reads the varint at `offset`: [value, offset after it]. Values here stay far below 2^31. */
function readVarint(bytes, offset) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[offset++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, offset];
}

function varint(value) {
  const bytes = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

/** A frame holding `message` (already protobuf bytes). */
function frame(message) {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** The varint fields of a message whose fields are all varints (StreamRequest), by field number. */
function varintFields(message) {
  const fields = {};
  let offset = 0;
  while (offset < message.length) {
    const [tag, next] = readVarint(message, offset);
    if ((tag & 7) !== 0) throw new Error(`field ${tag >>> 3} is not a varint`);
    [fields[tag >>> 3], offset] = readVarint(message, next);
  }
  return fields;
}

/** The length of a Payload's `data` (field 1, the only one): 0 when proto3 left it out. */
function payloadDataLength(message) {
  return message.length === 0 ? 0 : readVarint(message, 1)[0];
}

async function writeFrames(stream, count, bytes) {
  for (let index = 0; index < count && !stream.destroyed; index++) {
    if (!stream.write(bytes)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
}

const methods = {
  '/bench.v1.Echo/Unary': (stream) => frameSplitter((bytes) => stream.write(bytes)),
  '/bench.v1.Echo/Bidi': (stream) => frameSplitter((bytes) => stream.write(bytes)),
  '/bench.v1.Echo/ServerStream': (stream) =>
    frameSplitter((bytes) => {
      const { 1: count = 0, 2: size = 0 } = varintFields(bytes.subarray(5));
      const payload = frame(Buffer.concat([Buffer.from([0x0a, ...varint(size)]), Buffer.alloc(size, 0x61)]));
      void writeFrames(stream, count, payload);
    }),
  '/bench.v1.Echo/ClientStream': (stream) => {
    let count = 0;
    let bytes = 0;
    stream.once('end', () => stream.end(frame(Buffer.from([0x08, ...varint(count), 0x10, ...varint(bytes)]))));
    return frameSplitter((message) => {
      count++;
      bytes += payloadDataLength(message.subarray(5));
    });
  },
};

const server = http2.createServer();
server.on('stream', (stream, headers) => {
  stream.on('error', () => {}); // a cancelled call resets its stream; nothing to do
  const method = methods[headers[':path']];
  if (!method) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(UNIMPLEMENTED) }, { endStream: true });
    return;
  }
  let status = OK;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status) }));
  const onChunk = method(stream);
  stream.on('data', (chunk) => {
    try {
      onChunk(chunk);
    } catch {
      status = INTERNAL;
      stream.end();
    }
  });
  if (headers[':path'] !== '/bench.v1.Echo/ClientStream' && headers[':path'] !== '/bench.v1.Echo/ServerStream') {
    stream.once('end', () => stream.end());
  }
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
reportToHarness(server.address().port, () => new Promise((resolve) => server.close(() => resolve())));
