import { randomUUID } from 'node:crypto';
import type { Metadata } from '@wirekit/core';

/** The request header whose value, when it looks like an id, becomes the call's request id. */
export const REQUEST_ID_HEADER = 'x-request-id';

// Visible ASCII without spaces, and short: the value goes into every log line of the call, and it comes from
// the client, so anything else is replaced rather than trusted.
const ACCEPTED = /^[\x21-\x7e]{1,128}$/;

/** The caller's `x-request-id` when it is a plausible id, otherwise a new random UUID. */
export function requestIdOf(metadata: Metadata): string {
  const given = metadata.get(REQUEST_ID_HEADER);
  return given !== undefined && ACCEPTED.test(given) ? given : randomUUID();
}
