// Wirekit with no middleware (no health, no reflection): bench.v1.Echo through the plain `app.addService` API.
import { fileURLToPath } from 'node:url';
import { createApp, createSilentLogger, defineService, ProtoSet } from '../../packages/core/dist/index.js';
import { reportToHarness } from './report-usage.mjs';

const protos = ProtoSet.load('echo.proto', { includeDirs: [fileURLToPath(new URL('..', import.meta.url))] });
const Echo = defineService(protos, 'bench.v1.Echo');

const app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
app.addService(Echo, {
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
});

const { port } = await app.listen('127.0.0.1:0');
reportToHarness(port, () => app.close({ graceMs: 0 }));
