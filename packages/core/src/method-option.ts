import type { MethodDescriptor } from './call-context.js';
import { type Constructor, recordMethodOption } from './decorators/decorator-metadata.js';

/** A decorator that sets a value on a class (every rpc) or a method (one rpc, which wins over the class). */
export type MethodOptionDecorator = (target: object, propertyKey?: string, descriptor?: PropertyDescriptor) => void;

/**
 * A typed, per-rpc setting that middleware reads at call time and services set with a decorator: how the auth
 * middleware knows a method is public, how the rate limiter finds a method's limit.
 *
 * @example
 * export const Public = createMethodOption<boolean>('public');
 * // in a service:      @Public(true) @UnaryMethod() async status() { … }
 * // in the middleware: if (readMethodOption(call.method, Public)) return yield* next(call);
 */
export interface MethodOption<T> {
  (value: T): MethodOptionDecorator;
  readonly key: symbol;
  readonly description: string;
}

/** Creates a method option; each one is a distinct key, whatever its description. */
export function createMethodOption<T>(description: string): MethodOption<T> {
  const key = Symbol(description);
  const decorator = (value: T): MethodOptionDecorator =>
    function setMethodOption(target: object, propertyKey?: string): void {
      recordMethodOption(propertyKey === undefined ? (target as Constructor) : target, propertyKey, key, value);
    };
  return Object.assign(decorator, { key, description });
}

/** The value an rpc has for an option (the method's, else its class's), or `undefined`. */
export function readMethodOption<T>(method: MethodDescriptor, option: MethodOption<T>): T | undefined {
  return method.options.get(option.key) as T | undefined;
}
