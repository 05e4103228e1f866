import type { Metadata } from '@wirekit/core';
import { unauthenticated } from './auth-error.js';

// RFC 6750's `b64token`: what may follow "Bearer ". Anything else (a second header joined with ", ", a stray
// space) is refused rather than guessed at.
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^bearer +/i;

/**
 * The token of the call's `authorization: Bearer <token>` header, or `undefined` when the call has none.
 *
 * @throws RpcError UNAUTHENTICATED (`MALFORMED_CREDENTIALS`) when the header is there but is not one Bearer
 *   token; the message describes the header's shape, never its content.
 *
 * @example
 * const token = readBearerToken(ctx.metadata); // 'eyJhbGciOi…' for "authorization: Bearer eyJhbGciOi…"
 */
export function readBearerToken(metadata: Metadata): string | undefined {
  const values = metadata.getAll('authorization');
  if (values.length === 0) return undefined;
  if (values.length > 1) throw unauthenticated('MALFORMED_CREDENTIALS', 'the call has more than one authorization header');
  const header = values[0] ?? '';
  if (!SCHEME.test(header)) {
    throw unauthenticated('MALFORMED_CREDENTIALS', 'the authorization header is not of the form "Bearer <token>"');
  }
  const token = header.replace(SCHEME, '').trim();
  if (token === '') throw unauthenticated('MALFORMED_CREDENTIALS', 'the authorization header has an empty Bearer token');
  if (!TOKEN.test(token)) {
    throw unauthenticated('MALFORMED_CREDENTIALS', 'the Bearer token has characters a token cannot have (RFC 6750), or there are two');
  }
  return token;
}
