import type { Constructor } from '../decorators/decorator-metadata.js';
import type { Token } from './token.js';

/** Provides `T` by constructing a class (its constructor's dependencies resolved too). */
export interface ClassProvider<T> {
  readonly provide: Token<T>;
  readonly useClass: Constructor<T>;
}

/** Provides a ready value (a configuration object, a pool made elsewhere); the container never closes it. */
export interface ValueProvider<T> {
  readonly provide: Token<T>;
  readonly useValue: T;
}

/** Provides `T` from a function of other dependencies; may be async (open a connection, read a file). */
export interface FactoryProvider<T> {
  readonly provide: Token<T>;
  // biome-ignore lint/suspicious/noExplicitAny: the factory's parameters match `inject`, which TypeScript cannot relate.
  readonly useFactory: (...dependencies: any[]) => T | Promise<T>;
  readonly inject?: readonly Token<unknown>[];
}

/** Provides `T` as another token's instance (an alias: an interface token served by a class). */
export interface ExistingProvider<T> {
  readonly provide: Token<T>;
  readonly useExisting: Token<T>;
}

/**
 * How the app's container gets one dependency. A bare class stands for `{ provide: C, useClass: C }`.
 * Everything provided is a singleton of the app.
 */
export type Provider<T = unknown> = Constructor<T> | ClassProvider<T> | ValueProvider<T> | FactoryProvider<T> | ExistingProvider<T>;

/** Implement to run code when the app starts, after the dependencies of this instance have started. */
export interface OnStart {
  onStart(): void | Promise<void>;
}

/** Implement to run code at shutdown, after every call ended and before the dependencies shut down. */
export interface OnShutdown {
  onShutdown(): void | Promise<void>;
}
