// The baseline: bench.v1.Echo on raw @grpc/grpc-js with @grpc/proto-loader, written the way the grpc-js examples
// write a service (their loader options, callbacks, write with backpressure).
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { reportToHarness } from './report-usage.mjs';

const protoPath = fileURLToPath(new URL('../echo.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const { Echo } = grpc.loadPackageDefinition(definition).bench.v1;

/** Writes each message, waiting for 'drain' when the call's buffer is full, then ends the call. */
async function writeAll(call, count, make) {
  for (let index = 0; index < count; index++) {
    if (call.cancelled) return;
    if (!call.write(make(index))) await new Promise((resolve) => call.once('drain', resolve));
  }
  call.end();
}

const server = new grpc.Server();
server.addService(Echo.service, {
  Unary: (call, callback) => callback(null, { data: call.request.data }),
  ServerStream: (call) => {
    const data = Buffer.alloc(call.request.size, 0x61);
    void writeAll(call, call.request.count, () => ({ data }));
  },
  ClientStream: (call, callback) => {
    let count = 0;
    let bytes = 0;
    call.on('data', (payload) => {
      count++;
      bytes += payload.data.length;
    });
    call.on('end', () => callback(null, { count, bytes }));
  },
  Bidi: (call) => {
    call.on('data', (payload) => call.write({ data: payload.data }));
    call.on('end', () => call.end());
  },
});

const port = await new Promise((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
);
reportToHarness(port, () => new Promise((resolve) => server.tryShutdown(() => resolve())));
