/**
 * A typed key for a per-call value, such as the authenticated identity a middleware found.
 * Keys compare by identity, so two middlewares never collide on a name.
 *
 * @example
 * export const identityKey = createContextKey<Identity | undefined>(undefined, 'identity');
 * ctx.set(identityKey, { subject: 'u1' });
 * ctx.get(identityKey)?.subject;
 */
export interface ContextKey<T> {
  readonly id: symbol;
  readonly defaultValue: T;
  readonly description: string;
}

/** Creates a context key with the value `get` returns when nothing was set. */
export function createContextKey<T>(defaultValue: T, description = 'context value'): ContextKey<T> {
  return { id: Symbol(description), defaultValue, description };
}

/** Per-call storage of values under context keys. */
export class ContextValues {
  readonly #values = new Map<symbol, unknown>();

  get<T>(key: ContextKey<T>): T {
    return this.#values.has(key.id) ? (this.#values.get(key.id) as T) : key.defaultValue;
  }

  set<T>(key: ContextKey<T>, value: T): this {
    this.#values.set(key.id, value);
    return this;
  }

  delete(key: ContextKey<unknown>): this {
    this.#values.delete(key.id);
    return this;
  }
}
