import { defineConfig } from 'vitest/config';

/**
 * The framework's behaviour suite: written once, run over loopback TCP (the "tcp" project) and again, unchanged,
 * over the in-memory transport (the "memory" project). Files that need a socket (TLS, raw grpc-js clients,
 * reflection, keepalive, load balancing, child processes) run over TCP only.
 */
const TWIN_SUITE = [
  'packages/core/src/server/rpc-modes.test.ts',
  'packages/core/src/server/cancellation.test.ts',
  'packages/core/src/server/metadata.test.ts',
  'packages/core/src/server/errors.test.ts',
  'packages/core/src/server/backpressure.test.ts',
  'packages/core/src/server/startup-validation.test.ts',
  'packages/core/src/middleware/middleware.test.ts',
  'packages/core/src/di/dependency-injection.test.ts',
];

export default defineConfig({
  // Legacy decorators with metadata, set here so every test file gets `design:paramtypes` exactly as `tsc`
  // emits it, whichever tsconfig covers the file (see docs/decorators.md).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    // After vitest's summary, the suites a missing PostgreSQL or Redis left out (see test-support/not-run-reporter.ts).
    reporters: ['default', './test-support/not-run-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'tcp',
          include: [
            'packages/*/src/**/*.test.ts',
            'examples/*/src/**/*.test.ts',
            'docs/**/*.test.ts',
            'deploy/**/*.test.ts',
            'test-support/**/*.test.ts',
          ],
          env: { WIREKIT_TEST_TRANSPORT: 'tcp' },
        },
      },
      {
        extends: true,
        test: { name: 'memory', include: TWIN_SUITE, env: { WIREKIT_TEST_TRANSPORT: 'memory' } },
      },
    ],
  },
});
