// bench.v1.Echo on nice-grpc 2.1, written as its README writes a service: promises for unary and client streaming,
// async generators out and async iterables in. The service definition is the one @grpc/proto-loader makes for
// grpc-js (nice-grpc accepts it as it is), so the protobuf code is the baseline's.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { createServer } from 'nice-grpc';
import { reportToHarness } from './report-usage.mjs';

const protoPath = fileURLToPath(new URL('../echo.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const { Echo } = grpc.loadPackageDefinition(definition).bench.v1;

const server = createServer();
server.add(Echo.service, {
  async Unary(request) {
    return { data: request.data };
  },
  async *ServerStream(request) {
    const data = Buffer.alloc(request.size, 0x61);
    for (let index = 0; index < request.count; index++) yield { data };
  },
  async ClientStream(requests) {
    let count = 0;
    let bytes = 0;
    for await (const payload of requests) {
      count++;
      bytes += payload.data.length;
    }
    return { count, bytes };
  },
  async *Bidi(requests) {
    for await (const payload of requests) yield { data: payload.data };
  },
});

const port = await server.listen('127.0.0.1:0');
reportToHarness(port, () => server.shutdown());
