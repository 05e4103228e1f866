import type { ServerMiddleware } from '../middleware/server-middleware.js';
import { type Constructor, recordClassMiddleware, recordMethodMiddleware } from './decorator-metadata.js';

/**
 * Adds server middleware to every rpc of a class (on the class) or to one rpc (on a method).
 * Order: app-wide middleware outermost, then the service's, then the method's; within one list, as written.
 *
 * @example
 * @UseMiddleware(audit)
 * @UnaryMethod() async refund(…) { … }
 */
export function UseMiddleware(
  ...middleware: ServerMiddleware[]
): (target: object, propertyKey?: string, descriptor?: PropertyDescriptor) => void {
  return function useMiddleware(target: object, propertyKey?: string): void {
    if (propertyKey === undefined) recordClassMiddleware(target as Constructor, middleware);
    else recordMethodMiddleware(target, propertyKey, middleware);
  };
}
