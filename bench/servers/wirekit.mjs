// Wirekit with no middleware (no health, no reflection): bench.v1.Echo through the plain `app.addService` API.
import { createApp, createSilentLogger } from '../../packages/core/dist/index.js';
import { reportToHarness } from './report-usage.mjs';
import { Echo, echoHandlers } from './wirekit-echo.mjs';

const app = createApp({ logger: createSilentLogger(), shutdownSignals: [], health: false, reflection: false });
app.addService(Echo, echoHandlers);

const { port } = await app.listen('127.0.0.1:0');
reportToHarness(port, () => app.close({ graceMs: 0 }));
