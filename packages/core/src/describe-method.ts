import type { MethodDescriptor } from './call-context.js';
import type { AnyMethodDefinition } from './definition.js';

const NO_OPTIONS: ReadonlyMap<symbol, unknown> = new Map();

/** The method as middleware and handlers see it: names, mode and method options, no codecs. Made once per method. */
export function describeMethod(definition: AnyMethodDefinition, options: ReadonlyMap<symbol, unknown> = NO_OPTIONS): MethodDescriptor {
  const { path, service, name, mode, requestStream, responseStream, idempotency } = definition;
  return Object.freeze({ path, service, name, mode, requestStream, responseStream, idempotency, options });
}
