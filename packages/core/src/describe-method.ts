import type { MethodDescriptor } from './call-context.js';
import type { AnyMethodDefinition } from './definition.js';

const NO_OPTIONS: ReadonlyMap<symbol, unknown> = new Map();

/**
 * The method as middleware and handlers see it: names, mode, method options and the messages' JSON mapping,
 * not the codecs. Made once per method.
 */
export function describeMethod(definition: AnyMethodDefinition, options: ReadonlyMap<symbol, unknown> = NO_OPTIONS): MethodDescriptor {
  const { path, service, name, mode, requestStream, responseStream, idempotency, requestCodec, responseCodec } = definition;
  // The codecs' own closures (they need no `this`), shared by every call of the method.
  const requestToJson = requestCodec.toJson;
  const responseToJson = responseCodec.toJson;
  return Object.freeze({ path, service, name, mode, requestStream, responseStream, idempotency, options, requestToJson, responseToJson });
}
