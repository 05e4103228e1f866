import { Status } from '@wirekit/core';
import type { Level } from 'pino';

/**
 * The level of a call's log line by how it ended: OK at `info`; INTERNAL, UNKNOWN and DATA_LOSS, which mean a
 * bug or a broken dependency of this service, at `error`; every other code at `warn`. Those are the caller's
 * mistakes or ordinary conditions of a distributed system (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE,
 * RESOURCE_EXHAUSTED…): worth seeing when they pile up, but no one should be paged for one of them.
 *
 * @example
 * logging({ logger, level: (code) => (code === Status.NOT_FOUND ? 'info' : callLogLevel(code)) });
 */
export function callLogLevel(code: Status): Level {
  if (code === Status.OK) return 'info';
  return code === Status.INTERNAL || code === Status.UNKNOWN || code === Status.DATA_LOSS ? 'error' : 'warn';
}
