import { createHash } from 'node:crypto';
import type { ServerCall } from '@wirekit/core';
import { identityKey } from '../shared/identity.js';

/**
 * Whom a limit counts, within each method:
 * - `'method'`: every caller together (protects the server's capacity);
 * - `'identity'`: each caller the auth middleware identified (`ctx.get(identityKey)?.subject`), anonymous
 *   callers by their address;
 * - `'peer'`: each client address (the port left out, since every connection has its own);
 * - `{ metadata: name }`: each value of a request header, such as an API key (callers without it by address);
 * - a function of the call, returning the bucket's name.
 *
 * @example
 * rateLimit({ limit: '10/s', key: { metadata: 'x-api-key' } });
 */
export type RateLimitKey = 'method' | 'identity' | 'peer' | { readonly metadata: string } | ((call: ServerCall) => string);

/** The bucket a call counts against, and how a refusal names it to the client. */
export interface ResolvedKey {
  readonly bucket: string;
  /** The `subject` of the QuotaFailure violation: what the quota applies to. */
  readonly subject: string;
}

/** The bucket of one call under `key`; always within the call's method. */
export function resolveKey(call: ServerCall, key: RateLimitKey): ResolvedKey {
  const path = call.method.path;
  if (typeof key === 'function') {
    const name = key(call);
    return { bucket: `${path}|fn:${name}`, subject: name };
  }
  if (key === 'method') return { bucket: path, subject: `method:${path}` };
  if (key === 'identity') {
    const subject = call.context.get(identityKey)?.subject;
    if (subject !== undefined) return { bucket: `${path}|identity:${subject}`, subject: `identity:${subject}` };
  } else if (typeof key === 'object') {
    const value = call.context.metadata.get(key.metadata);
    if (value !== undefined) {
      // Hashed, because a header that tells callers apart is often a credential: it must not sit in Redis keys
      // nor be echoed back in the error.
      const digest = createHash('sha256').update(value).digest('base64url').slice(0, 22);
      return { bucket: `${path}|metadata:${key.metadata}:${digest}`, subject: `metadata:${key.metadata}` };
    }
  }
  const host = peerHost(call.context.peer);
  return { bucket: `${path}|peer:${host}`, subject: `peer:${host}` };
}

/** `127.0.0.1:53124` → `127.0.0.1`; `[::1]:53124` → `::1`; anything else as it is. */
function peerHost(peer: string): string {
  if (peer.startsWith('[')) {
    const end = peer.indexOf(']');
    return end === -1 ? peer : peer.slice(1, end);
  }
  const colon = peer.lastIndexOf(':');
  return colon === -1 || peer.indexOf(':') !== colon ? peer : peer.slice(0, colon);
}
