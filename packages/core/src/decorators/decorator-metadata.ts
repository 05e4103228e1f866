import 'reflect-metadata';
import type { RpcMode, ServiceDefinition } from '../definition.js';
import type { Token } from '../di/token.js';
import type { ServerMiddleware } from '../middleware/server-middleware.js';

// The one module that reads and writes decorator metadata (house rule 9): decorators record, the app reads.

/** A class's constructor, as decorators see it. */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters of user classes are arbitrary.
export type Constructor<T = unknown> = abstract new (...args: any[]) => T;

/** What `@Service` recorded on a class. */
export interface ServiceBinding {
  /** A generated definition, or a full service name resolved against the app's protos at startup. */
  readonly service: ServiceDefinition | string;
  readonly allowUnimplemented: boolean;
}

/** What a mode decorator recorded on a method. */
export interface HandlerBinding {
  readonly propertyKey: string;
  readonly mode: RpcMode;
  /** The rpc's name: the generated definition's, or the method name with an upper-case first letter. */
  readonly rpcName: string;
  /**
   * The full name of the service whose generated definition named the rpc, checked against the class's
   * service at startup; undefined when the method's name names the rpc.
   */
  readonly service: string | undefined;
}

// Symbol.for: two copies of @wirekit/core in one process (a library and an app on different builds) must
// read each other's decorators.
const SERVICE = Symbol.for('wirekit:service');
const HANDLERS = Symbol.for('wirekit:handlers');
const CLASS_MIDDLEWARE = Symbol.for('wirekit:class-middleware');
const METHOD_MIDDLEWARE = Symbol.for('wirekit:method-middleware');
const INJECTABLE = Symbol.for('wirekit:injectable');
const INJECT_TOKENS = Symbol.for('wirekit:inject-tokens');
const METHOD_OPTIONS = Symbol.for('wirekit:method-options');

export function recordService(target: Constructor, binding: ServiceBinding): void {
  Reflect.defineMetadata(SERVICE, binding, target);
  Reflect.defineMetadata(INJECTABLE, true, target);
}

export function readService(target: Constructor): ServiceBinding | undefined {
  return Reflect.getOwnMetadata(SERVICE, target) as ServiceBinding | undefined;
}

export function recordHandler(prototype: object, binding: HandlerBinding): void {
  const existing = (Reflect.getOwnMetadata(HANDLERS, prototype) as HandlerBinding[] | undefined) ?? [];
  Reflect.defineMetadata(HANDLERS, [...existing, binding], prototype);
}

/** Handlers of a class and of the classes it extends, base classes first. */
export function readHandlers(target: Constructor): HandlerBinding[] {
  const chain: object[] = [];
  for (let proto: object | null = target.prototype as object; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    chain.unshift(proto);
  }
  return chain.flatMap((proto) => (Reflect.getOwnMetadata(HANDLERS, proto) as HandlerBinding[] | undefined) ?? []);
}

export function recordClassMiddleware(target: Constructor, middleware: readonly ServerMiddleware[]): void {
  const existing = readClassMiddleware(target);
  // Decorators apply bottom-up; prepend so the list reads top-down as written.
  Reflect.defineMetadata(CLASS_MIDDLEWARE, [...middleware, ...existing], target);
}

export function readClassMiddleware(target: Constructor): readonly ServerMiddleware[] {
  return (Reflect.getOwnMetadata(CLASS_MIDDLEWARE, target) as ServerMiddleware[] | undefined) ?? [];
}

export function recordMethodMiddleware(prototype: object, propertyKey: string, middleware: readonly ServerMiddleware[]): void {
  const existing = readMethodMiddleware(prototype, propertyKey);
  Reflect.defineMetadata(METHOD_MIDDLEWARE, [...middleware, ...existing], prototype, propertyKey);
}

export function readMethodMiddleware(prototype: object, propertyKey: string): readonly ServerMiddleware[] {
  return (Reflect.getMetadata(METHOD_MIDDLEWARE, prototype, propertyKey) as ServerMiddleware[] | undefined) ?? [];
}

export function recordInjectable(target: Constructor): void {
  Reflect.defineMetadata(INJECTABLE, true, target);
}

export function isInjectable(target: Constructor): boolean {
  return Reflect.getOwnMetadata(INJECTABLE, target) === true;
}

export function recordInjectToken(target: Constructor, index: number, token: Token<unknown>): void {
  const existing = (Reflect.getOwnMetadata(INJECT_TOKENS, target) as Map<number, Token<unknown>> | undefined) ?? new Map();
  Reflect.defineMetadata(INJECT_TOKENS, new Map(existing).set(index, token), target);
}

/**
 * The tokens a constructor asks for: an explicit `@Inject(token)` wins, otherwise the parameter's type as the
 * TypeScript compiler recorded it (`design:paramtypes`, emitted under `emitDecoratorMetadata`).
 */
export function readConstructorTokens(target: Constructor): {
  readonly tokens: (Token<unknown> | undefined)[];
  readonly hasTypeInfo: boolean;
} {
  const paramTypes = Reflect.getOwnMetadata('design:paramtypes', target) as (Token<unknown> | undefined)[] | undefined;
  const explicit =
    (Reflect.getOwnMetadata(INJECT_TOKENS, target) as Map<number, Token<unknown>> | undefined) ?? new Map<number, Token<unknown>>();
  const length = Math.max(paramTypes?.length ?? 0, target.length, ...[...explicit.keys()].map((index) => index + 1));
  const tokens = Array.from({ length }, (_, index) => explicit.get(index) ?? paramTypes?.[index]);
  return { tokens, hasTypeInfo: paramTypes !== undefined };
}

/** Records a method option on a class (propertyKey undefined) or on one method of a prototype. */
export function recordMethodOption(target: object, propertyKey: string | undefined, key: symbol, value: unknown): void {
  const existing = ownMethodOptions(target, propertyKey);
  const next = new Map(existing).set(key, value);
  if (propertyKey === undefined) Reflect.defineMetadata(METHOD_OPTIONS, next, target);
  else Reflect.defineMetadata(METHOD_OPTIONS, next, target, propertyKey);
}

/** The options of one handler: its class's, overridden by the method's own. */
export function readMethodOptions(target: Constructor, propertyKey: string): ReadonlyMap<symbol, unknown> {
  const fromClass = ownMethodOptions(target, undefined);
  const fromMethod =
    (Reflect.getMetadata(METHOD_OPTIONS, target.prototype as object, propertyKey) as Map<symbol, unknown> | undefined) ?? new Map();
  return new Map([...fromClass, ...fromMethod]);
}

/** The options set on a class itself, for rpcs it leaves unimplemented. */
export function readClassMethodOptions(target: Constructor): ReadonlyMap<symbol, unknown> {
  return ownMethodOptions(target, undefined);
}

function ownMethodOptions(target: object, propertyKey: string | undefined): Map<symbol, unknown> {
  const found =
    propertyKey === undefined
      ? Reflect.getOwnMetadata(METHOD_OPTIONS, target)
      : Reflect.getOwnMetadata(METHOD_OPTIONS, target, propertyKey);
  return (found as Map<symbol, unknown> | undefined) ?? new Map();
}
