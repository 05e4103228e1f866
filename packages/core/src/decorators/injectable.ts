import type { Token } from '../di/token.js';
import { type Constructor, recordInjectable, recordInjectToken } from './decorator-metadata.js';

/**
 * Marks a class as constructed by the app's container. It also makes the compiler record the constructor's
 * parameter types, which is how the container knows what to pass.
 *
 * @example
 * @Injectable()
 * class Ledger { constructor(private readonly db: Database) {} }
 */
export function Injectable(): (target: Constructor) => void {
  return function injectable(target: Constructor): void {
    recordInjectable(target);
  };
}

/**
 * Names the dependency of one constructor parameter when its type cannot: an interface, a value, a function.
 *
 * @example
 * constructor(@Inject(CLOCK) private readonly clock: Clock) {}
 */
export function Inject<T>(token: Token<T>): (target: object, propertyKey: string | symbol | undefined, index: number) => void {
  return function inject(target: object, _propertyKey: string | symbol | undefined, index: number): void {
    recordInjectToken(target as Constructor, index, token as Token<unknown>);
  };
}
