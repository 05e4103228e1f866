import type { MethodDescriptor } from './call-context.js';
import type { AnyMethodDefinition } from './definition.js';

/** The method as middleware and handlers see it: names and mode, no codecs. Made once per method. */
export function describeMethod(definition: AnyMethodDefinition): MethodDescriptor {
  const { path, service, name, mode, requestStream, responseStream, idempotency } = definition;
  return Object.freeze({ path, service, name, mode, requestStream, responseStream, idempotency });
}
