import { type Constructor, readConstructorTokens } from '../decorators/decorator-metadata.js';
import type { OnShutdown, OnStart, Provider } from './provider.js';
import { type Token, tokenName } from './token.js';

type Recipe =
  | { readonly kind: 'class'; readonly useClass: Constructor }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'factory'; readonly factory: (...dependencies: unknown[]) => unknown; readonly inject: readonly Token<unknown>[] }
  | { readonly kind: 'existing'; readonly token: Token<unknown> };

/** An error in how the app's dependencies are wired; the message names the class, the parameter and the fix. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
}

/**
 * The app's dependency container: singletons made on first use, in dependency order, so `start()` runs
 * `onStart` hooks dependencies-first and `shutdown()` runs `onShutdown` hooks in the reverse order.
 */
export class Container {
  readonly #recipes = new Map<Token<unknown>, Recipe>();
  readonly #instances = new Map<Token<unknown>, Promise<unknown>>();
  // Constructed instances in the order they finished construction: dependencies before dependants.
  readonly #created: object[] = [];
  readonly #started: object[] = [];

  constructor(providers: readonly Provider[] = []) {
    for (const provider of providers) this.register(provider);
  }

  /** Adds a provider; a later provider for the same token replaces an earlier one (tests override this way). */
  register(provider: Provider): void {
    if (typeof provider === 'function') {
      this.#recipes.set(provider, { kind: 'class', useClass: provider });
    } else if ('useClass' in provider) {
      this.#recipes.set(provider.provide, { kind: 'class', useClass: provider.useClass });
    } else if ('useValue' in provider) {
      this.#recipes.set(provider.provide, { kind: 'value', value: provider.useValue });
    } else if ('useFactory' in provider) {
      this.#recipes.set(provider.provide, { kind: 'factory', factory: provider.useFactory, inject: provider.inject ?? [] });
    } else if ('useExisting' in provider) {
      this.#recipes.set(provider.provide, { kind: 'existing', token: provider.useExisting });
    } else {
      throw new DependencyError(
        `a provider must be a class or have useClass, useValue, useFactory or useExisting; got ${JSON.stringify(provider)}`,
      );
    }
  }

  has(token: Token<unknown>): boolean {
    return this.#recipes.has(token);
  }

  /** The singleton for `token`, constructing it and its dependencies on first use. */
  resolve<T>(token: Token<T>): Promise<T> {
    return this.#resolve(token, []) as Promise<T>;
  }

  /** Runs `onStart` of every constructed instance, dependencies first. */
  async start(): Promise<void> {
    for (const instance of this.#created) {
      if (this.#started.includes(instance)) continue;
      if (hasHook<OnStart>(instance, 'onStart')) await instance.onStart();
      this.#started.push(instance);
    }
  }

  /** Runs `onShutdown` in reverse start order; a failing hook is reported and the others still run. */
  async shutdown(onError: (error: unknown, instance: object) => void): Promise<void> {
    for (const instance of [...this.#created].reverse()) {
      if (!hasHook<OnShutdown>(instance, 'onShutdown')) continue;
      try {
        await instance.onShutdown();
      } catch (error: unknown) {
        onError(error, instance);
      }
    }
  }

  #resolve(token: Token<unknown>, path: readonly Token<unknown>[]): Promise<unknown> {
    const existing = this.#instances.get(token);
    if (existing) return existing;
    if (path.includes(token)) {
      const cycle = [...path.slice(path.indexOf(token)), token].map(tokenName).join(' → ');
      throw new DependencyError(`dependency cycle: ${cycle}; break it with a factory provider or by passing a value`);
    }
    const recipe = this.#recipes.get(token);
    if (!recipe) {
      const wanted = path.length > 0 ? ` (needed by ${tokenName(path[path.length - 1])})` : '';
      throw new DependencyError(`no provider for ${tokenName(token)}${wanted}; add it to createApp({ providers: [...] })`);
    }
    const instance = this.#make(recipe, [...path, token]);
    this.#instances.set(token, instance);
    // A failed construction must not stay cached as a rejected promise that hides the next attempt's error.
    instance.catch(() => this.#instances.delete(token));
    return instance;
  }

  async #make(recipe: Recipe, path: readonly Token<unknown>[]): Promise<unknown> {
    switch (recipe.kind) {
      case 'value':
        return recipe.value;
      case 'existing':
        return this.#resolve(recipe.token, path);
      case 'factory': {
        const dependencies = await Promise.all(recipe.inject.map((token) => this.#resolve(token, path)));
        return this.#remember(await recipe.factory(...dependencies));
      }
      case 'class': {
        const dependencies = await Promise.all(this.#constructorTokens(recipe.useClass).map((token) => this.#resolve(token, path)));
        // biome-ignore lint/suspicious/noExplicitAny: the container built the arguments from the constructor's own metadata.
        const Concrete = recipe.useClass as new (...args: any[]) => object;
        return this.#remember(new Concrete(...dependencies));
      }
    }
  }

  #remember(instance: unknown): unknown {
    if (typeof instance === 'object' && instance !== null) this.#created.push(instance);
    return instance;
  }

  #constructorTokens(target: Constructor): Token<unknown>[] {
    const { tokens, hasTypeInfo } = readConstructorTokens(target);
    return tokens.map((token, index) => {
      if (token !== undefined && token !== Object && !isPrimitiveConstructor(token)) return token;
      const why = !hasTypeInfo
        ? `${target.name} has no recorded parameter types: decorate it with @Injectable() or @Service(...), and compile with "emitDecoratorMetadata"`
        : `its type is an interface, a union or a primitive, which leaves no runtime type`;
      throw new DependencyError(`cannot inject parameter #${index + 1} of ${target.name}: ${why}; name it with @Inject(token)`);
    });
  }
}

function hasHook<T>(instance: object, hook: keyof T): instance is object & T {
  return typeof (instance as Record<PropertyKey, unknown>)[hook as PropertyKey] === 'function';
}

function isPrimitiveConstructor(token: Token<unknown>): boolean {
  return token === (String as unknown) || token === (Number as unknown) || token === (Boolean as unknown) || token === (Array as unknown);
}
