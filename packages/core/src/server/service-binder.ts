import type { CallContext } from '../call-context.js';
import {
  type Constructor,
  readClassMethodOptions,
  readClassMiddleware,
  readHandlers,
  readMethodMiddleware,
  readMethodOptions,
  readService,
} from '../decorators/decorator-metadata.js';
import type { AnyMethodDefinition, RpcMode, ServiceDefinition } from '../definition.js';
import { handlerNameOf } from '../handler.js';
import type { ServerMiddleware } from '../middleware/server-middleware.js';
import { defineService, type ProtoSet } from '../protos/proto-set.js';
import type { BoundHandler, MethodBinding } from './method-runtime.js';

const DECORATOR_OF_MODE: Record<RpcMode, string> = {
  unary: '@UnaryMethod',
  server_streaming: '@ServerStreamingMethod',
  client_streaming: '@ClientStreamingMethod',
  bidi_streaming: '@BidiStreamingMethod',
};

/** A service ready to be added to the grpc-js server. */
export interface BoundService {
  readonly definition: ServiceDefinition;
  /** Who implements it, for messages: a class name or "addService(...)". */
  readonly owner: string;
  readonly methods: readonly MethodBinding[];
}

/** A plain-object registration from `app.addService`. */
export interface ObjectRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: Readonly<Record<string, unknown>>;
  readonly middleware: readonly ServerMiddleware[];
  readonly allowUnimplemented: boolean;
}

/** Finds a service definition by name among the app's protos and the definitions already known. */
export function findDefinition(name: string, protoSets: readonly ProtoSet[]): ServiceDefinition | undefined {
  for (const protos of protoSets) if (protos.findService(name)) return defineService(protos, name);
  return undefined;
}

/** Binds a decorated class instance, collecting every problem instead of stopping at the first. */
export function bindClass(
  target: Constructor,
  instance: object,
  protoSets: readonly ProtoSet[],
  appMiddleware: readonly ServerMiddleware[],
  problems: string[],
): BoundService | undefined {
  const className = target.name || '(anonymous class)';
  const binding = readService(target);
  if (!binding) {
    problems.push(
      `${className} is listed in services but has no @Service(...) decorator; add @Service('package.ServiceName') to the class`,
    );
    return undefined;
  }
  const definition = typeof binding.service === 'string' ? findDefinition(binding.service, protoSets) : binding.service;
  if (!definition) {
    const known = protoSets.flatMap((protos) => protos.serviceNames);
    problems.push(
      `${className} is bound to service "${binding.service as string}", which no loaded proto defines (loaded: ${known.join(', ') || 'none'}); fix the name in @Service(...) or add its .proto to createApp({ protos })`,
    );
    return undefined;
  }
  const service = definition.fullName;
  const rpcs = definition.methods as Readonly<Record<string, AnyMethodDefinition>>;
  const classMiddleware = readClassMiddleware(target);
  const bound = new Map<string, { propertyKey: string; binding: MethodBinding }>();

  for (const handler of readHandlers(target)) {
    const where = `${className}.${handler.propertyKey}`;
    if (handler.service !== undefined && handler.service !== service) {
      problems.push(
        `${where} is bound to /${handler.service}/${handler.rpcName}, an rpc of another service than ${className}'s ${service}; pass a definition of ${service}'s rpcs to ${DECORATOR_OF_MODE[handler.mode]}(...), or move the method to the class bound to ${handler.service}`,
      );
      continue;
    }
    // A method named after its rpc matches it as the class decorator's type check does (`charge` for `Charge`,
    // and `charge` for an rpc spelt `charge`).
    const rpc =
      rpcs[handler.rpcName] ??
      (handler.service === undefined
        ? Object.values(rpcs).find((candidate) => handlerNameOf(candidate.name) === handler.propertyKey)
        : undefined);
    if (!rpc) {
      problems.push(
        `${where} is bound to rpc "${handler.rpcName}", which ${service} does not define (its rpcs: ${Object.keys(rpcs).join(', ')}); name the method after one of them (${Object.keys(rpcs).map(handlerNameOf).join(', ')}) or pass the rpc's generated definition: ${DECORATOR_OF_MODE[handler.mode]}(Service.methods.Rpc)`,
      );
      continue;
    }
    if (rpc.mode !== handler.mode) {
      problems.push(
        `${where} is declared ${DECORATOR_OF_MODE[handler.mode]} but ${rpc.path} is ${rpc.mode} in the proto; use ${DECORATOR_OF_MODE[rpc.mode]}()`,
      );
      continue;
    }
    const previous = bound.get(rpc.name);
    if (previous) {
      problems.push(
        `${rpc.path} is bound twice in ${className}: by ${previous.propertyKey} and by ${handler.propertyKey}; remove one of the decorators`,
      );
      continue;
    }
    const method = (instance as Record<string, unknown>)[handler.propertyKey];
    if (typeof method !== 'function') {
      problems.push(`${where} is decorated as the handler of ${rpc.path} but is not a method`);
      continue;
    }
    const middleware = [...appMiddleware, ...classMiddleware, ...readMethodMiddleware(target.prototype as object, handler.propertyKey)];
    const invoke = method.bind(instance) as (input: unknown, context: CallContext) => unknown;
    const options = readMethodOptions(target, handler.propertyKey);
    bound.set(rpc.name, {
      propertyKey: handler.propertyKey,
      binding: { definition: rpc, handler: invoke as BoundHandler, middleware, options },
    });
  }

  const methods: MethodBinding[] = [];
  for (const rpc of Object.values(rpcs)) {
    const found = bound.get(rpc.name);
    if (found) {
      methods.push(found.binding);
    } else if (binding.allowUnimplemented) {
      methods.push({
        definition: rpc,
        handler: undefined,
        middleware: [...appMiddleware, ...classMiddleware],
        options: readClassMethodOptions(target),
      });
    } else {
      problems.push(
        `${rpc.path} has no handler in ${className}; add a method ${handlerNameOf(rpc.name)}() decorated with ${DECORATOR_OF_MODE[rpc.mode]}(), or use @Service(…, { allowUnimplemented: true }) to answer UNIMPLEMENTED`,
      );
    }
  }
  return { definition, owner: className, methods };
}

/** Binds a plain implementation object from `app.addService`. */
export function bindObject(registration: ObjectRegistration, appMiddleware: readonly ServerMiddleware[], problems: string[]): BoundService {
  const { definition, implementation, middleware, allowUnimplemented } = registration;
  const rpcs = definition.methods as Readonly<Record<string, AnyMethodDefinition>>;
  const owner = `addService(${definition.fullName})`;
  const expected = new Set(Object.values(rpcs).map((rpc) => handlerNameOf(rpc.name)));
  for (const key of Object.keys(implementation)) {
    if (!expected.has(key)) {
      problems.push(
        `${owner}: the implementation has "${key}", which is no rpc of ${definition.fullName} (handlers: ${[...expected].join(', ')}); rename or remove it`,
      );
    }
  }
  const methods: MethodBinding[] = [];
  for (const rpc of Object.values(rpcs)) {
    const handler = implementation[handlerNameOf(rpc.name)];
    if (typeof handler === 'function') {
      methods.push({
        definition: rpc,
        handler: handler.bind(implementation) as BoundHandler,
        middleware: [...appMiddleware, ...middleware],
      });
    } else if (handler === undefined && allowUnimplemented) {
      methods.push({ definition: rpc, handler: undefined, middleware: [...appMiddleware, ...middleware] });
    } else {
      problems.push(
        handler === undefined
          ? `${rpc.path} has no handler in ${owner}; add ${handlerNameOf(rpc.name)}() to the implementation, or pass { allowUnimplemented: true } to answer UNIMPLEMENTED`
          : `${owner}: "${handlerNameOf(rpc.name)}" must be a function handling ${rpc.path}`,
      );
    }
  }
  return { definition, owner, methods };
}
