import type { Constructor } from '../decorators/decorator-metadata.js';

/**
 * A typed name for a dependency that has no class of its own: an interface, a configuration value, a function.
 *
 * @example
 * export const LEDGER = new InjectionToken<Ledger>('Ledger');
 * createApp({ providers: [{ provide: LEDGER, useClass: SqliteLedger }] });
 * constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}
 */
export class InjectionToken<T> {
  // Keeps T in the type so tokens of different types are not interchangeable.
  declare readonly __type?: T;
  constructor(readonly description: string) {}
  toString(): string {
    return `InjectionToken(${this.description})`;
  }
}

/** What providers are registered under and constructors ask for: a class or an `InjectionToken`. */
export type Token<T> = Constructor<T> | InjectionToken<T>;

export function tokenName(token: Token<unknown> | undefined): string {
  if (token === undefined) return 'an unknown type';
  return token instanceof InjectionToken ? token.toString() : token.name || '(anonymous class)';
}
