import { createRequire } from 'node:module';

/**
 * grpc-js's `server-interceptors` module (1.10 to 1.14), from the same copy that `@grpc/grpc-js` resolves to here.
 * Its call class and call factory are private to grpc-js: the frame guard and response compression patch them
 * once, and step aside when a version lacks what they need (their tests then fail, so an upgrade is noticed).
 */
export interface GrpcServerInterceptorsModule {
  readonly BaseServerInterceptingCall?: { readonly prototype: object };
  getServerInterceptingCall?: (...args: unknown[]) => unknown;
}

export function loadGrpcServerInterceptors(): GrpcServerInterceptorsModule | undefined {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@grpc/grpc-js');
    return require(main.replace(/index\.js$/, 'server-interceptors.js')) as GrpcServerInterceptorsModule;
  } catch {
    return undefined;
  }
}
