import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Legacy decorators with metadata, set here so every test file gets `design:paramtypes` exactly as `tsc`
  // emits it, whichever tsconfig covers the file (see docs/decorators.md).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
