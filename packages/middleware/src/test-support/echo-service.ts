import { fileURLToPath } from 'node:url';
import { defineService, ProtoSet } from '@wirekit/core';
import type {
  EchoService as GeneratedEchoService,
  OtherService as GeneratedOtherService,
} from '../../../core/src/test-support/echo.generated.js';

// The core's test services, loaded through the built @wirekit/core the middleware imports, so that the app, the
// client and the middleware share one copy of the core, as they do in a service. (The generated module itself
// imports the core's source: its decorators and classes would be a second copy.)
const protos = ProtoSet.load('wirekit/test/v1/echo.proto', {
  includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
});

/** One rpc per mode: Echo, Expand, Collect, Chat. */
export const EchoService = defineService<(typeof GeneratedEchoService)['methods']>(protos, 'wirekit.test.v1.EchoService');

/** Ping, marked `idempotency_level = IDEMPOTENT`. */
export const OtherService = defineService<(typeof GeneratedOtherService)['methods']>(protos, 'wirekit.test.v1.OtherService');
