// bench.v1.Echo for every Wirekit benchmark server: the definition and the handlers, written once, so the servers
// differ only in what the benchmark compares (middleware, or none).
import { fileURLToPath } from 'node:url';
import { defineService, ProtoSet } from '../../packages/core/dist/index.js';

const protos = ProtoSet.load('echo.proto', { includeDirs: [fileURLToPath(new URL('..', import.meta.url))] });

/** The service definition of bench.v1.Echo. */
export const Echo = defineService(protos, 'bench.v1.Echo');

/** The echo in all four modes, as `app.addService(Echo, echoHandlers)` takes it. */
export const echoHandlers = {
  unary: (request) => ({ data: request.data }),
  async *serverStream(request) {
    const data = Buffer.alloc(request.size, 0x61);
    for (let index = 0; index < request.count; index++) yield { data };
  },
  async clientStream(requests) {
    let count = 0;
    let bytes = 0;
    for await (const payload of requests) {
      count++;
      bytes += payload.data.length;
    }
    return { count, bytes };
  },
  async *bidi(requests) {
    for await (const payload of requests) yield { data: payload.data };
  },
};
