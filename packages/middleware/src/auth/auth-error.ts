import { errorInfo, RpcError, Status } from '@wirekit/core';

/** The `ErrorInfo.domain` of every refusal by the auth middleware, so clients can tell them from the service's own. */
export const AUTH_ERROR_DOMAIN = 'auth.wirekit.dev';

/**
 * Why a call was refused, as the `reason` of the `google.rpc.ErrorInfo` detail the error carries: a client (or
 * its credentials middleware) can act on it without parsing the message.
 */
export type AuthFailureReason =
  | 'MISSING_CREDENTIALS'
  | 'MALFORMED_CREDENTIALS'
  | 'UNSIGNED_TOKEN'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SIGNING_KEY'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'INVALID_CLAIMS'
  | 'UNKNOWN_API_TOKEN'
  | 'INVALID_CERTIFICATE'
  | 'SIGNING_KEYS_UNAVAILABLE'
  | 'MISSING_SCOPES'
  | 'MISSING_ROLES';

/**
 * The error a refused call ends with. The message says what was wrong and never quotes the credential: it
 * reaches the client and, through other middleware, the logs.
 *
 * @example
 * throw authError(Status.UNAUTHENTICATED, 'TOKEN_EXPIRED', 'the token expired at 2030-01-01T00:00:00.000Z');
 */
export function authError(code: Status, reason: AuthFailureReason, message: string): RpcError {
  return new RpcError(code, message, { details: [errorInfo(reason, AUTH_ERROR_DOMAIN)] });
}

/** Shorthand for the UNAUTHENTICATED refusals: the caller did not prove who it is. */
export function unauthenticated(reason: AuthFailureReason, message: string): RpcError {
  return authError(Status.UNAUTHENTICATED, reason, message);
}

/** The reason of an auth refusal, or `undefined` when `error` is not one. */
export function authFailureReason(error: unknown): AuthFailureReason | undefined {
  if (!RpcError.is(error)) return undefined;
  const info = error.findDetails('google.rpc.ErrorInfo').find((detail) => detail.domain === AUTH_ERROR_DOMAIN);
  return info?.reason as AuthFailureReason | undefined;
}
