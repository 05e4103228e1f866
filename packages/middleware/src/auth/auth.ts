import { type CallContext, type Logger, RpcError, type ServerCall, type ServerMiddleware, Status, withSingleForm } from '@wirekit/core';
import { type Identity, identityKey } from '../shared/identity.js';
import { type ApiToken, createApiTokenMatcher } from './api-tokens.js';
import { authError, authFailureReason, unauthenticated } from './auth-error.js';
import { readBearerToken } from './bearer-token.js';
import { createJwtVerifier, type JwtOptions } from './jwt-verifier.js';
import { createPolicyResolver, type EffectivePolicy, type PolicyMap } from './method-policy.js';
import { identityFromCertificate, type MtlsOptions } from './mtls-identity.js';

/** How the auth middleware authenticates callers and which rpcs need what. At least one way is required. */
export interface AuthOptions {
  /** Accept bearer JWTs verified with this key. */
  readonly jwt?: JwtOptions;
  /** Accept these static bearer tokens. */
  readonly apiTokens?: readonly ApiToken[];
  /** Accept the client certificate verified by mutual TLS (`createApp({ tls: { clientCa } })`) when no token is sent. */
  readonly mtls?: boolean | MtlsOptions;
  /** Per-method, per-service or per-package policies, combined with the decorators (`Public`, `RequireScopes`…). */
  readonly policy?: PolicyMap;
  /**
   * Where refused calls are reported (method, peer, reason: never the credential) and an unreachable JWKS.
   * Default: nowhere.
   */
  readonly logger?: Logger;
}

/**
 * The auth middleware: authenticates the caller of every rpc that is not public, puts the identity under
 * `identityKey`, and checks the rpc's required scopes and roles. A missing or invalid credential ends the
 * call with UNAUTHENTICATED, missing scopes or roles with PERMISSION_DENIED; both before the handler runs, so
 * a streaming handler never sees a message of a refused call.
 *
 * A bearer token, when sent, decides: an API token if it is one, else a JWT. Without a token, the verified
 * client certificate does (with `mtls`). An identity already in the context (set by code in this process,
 * such as a test's `createTestApp({ callContext })`) is accepted as it is; only the policy is applied.
 *
 * @example
 * const app = createApp({
 *   services: [PaymentHandlers],
 *   middleware: [auth({ jwt: { jwks: { url: 'https://issuer.example/jwks.json' }, algorithms: ['RS256'], audience: 'payments' } })],
 * });
 */
export function auth(options: AuthOptions): ServerMiddleware {
  const { jwt, apiTokens = [], mtls = false, policy = {}, logger } = options;
  if (jwt === undefined && apiTokens.length === 0 && mtls === false) {
    throw new Error('auth() needs a way to authenticate callers: jwt, apiTokens or mtls');
  }
  const verifyJwt = jwt === undefined ? undefined : createJwtVerifier(jwt, logger);
  const matchApiToken = apiTokens.length === 0 ? undefined : createApiTokenMatcher(apiTokens);
  const mtlsOptions = mtls === false ? undefined : mtls === true ? {} : mtls;
  const acceptsTokens = verifyJwt !== undefined || matchApiToken !== undefined;
  const resolvePolicy = createPolicyResolver(policy);

  const authenticate = async (context: CallContext): Promise<Identity> => {
    // With certificates only, an authorization header is left alone: it may be meant for another hop.
    const token = acceptsTokens ? readBearerToken(context.metadata) : undefined;
    if (token === undefined) {
      const certificate = mtlsOptions === undefined ? undefined : context.peerCertificate;
      if (certificate !== undefined && mtlsOptions !== undefined) return identityFromCertificate(certificate, mtlsOptions);
      throw unauthenticated('MISSING_CREDENTIALS', missingCredentials(acceptsTokens, mtlsOptions !== undefined));
    }
    const apiIdentity = matchApiToken?.(token);
    if (apiIdentity !== undefined) return apiIdentity;
    if (verifyJwt !== undefined && (matchApiToken === undefined || looksLikeJwt(token))) return verifyJwt(token);
    throw unauthenticated('UNKNOWN_API_TOKEN', 'the bearer token is not a known API token');
  };

  /** Refuses the call (UNAUTHENTICATED or PERMISSION_DENIED) unless its caller may make it. */
  const admit = async (call: ServerCall): Promise<void> => {
    const { context, method } = call;
    const required = resolvePolicy(method);
    if (required.public) return;
    try {
      let identity = context.get(identityKey);
      // Only code in this process can put an identity in the context (a client can send headers, not context
      // values), so one that is already there was established by a trusted layer: a test, or an outer gateway
      // middleware.
      if (identity === undefined) {
        identity = await authenticate(context);
        context.set(identityKey, identity);
      }
      authorize(identity, required);
    } catch (error: unknown) {
      const reason = authFailureReason(error);
      if (reason !== undefined) {
        logger?.warn({ method: method.path, peer: context.peer, reason, detail: RpcError.from(error).rawMessage }, 'auth: call refused');
      }
      throw error;
    }
  };

  return withSingleForm(
    async function* auth(call, next) {
      await admit(call);
      return yield* next(call);
    },
    async (call, next) => {
      await admit(call);
      return next(call);
    },
  );
}

/** Throws PERMISSION_DENIED, naming every missing scope and role, unless `identity` holds all that is required. */
function authorize(identity: Identity, required: EffectivePolicy): void {
  // Most rpcs require nothing beyond authentication: no arrays to build for them.
  if (required.scopes.length === 0 && required.roles.length === 0) return;
  const missingScopes = required.scopes.filter((scope) => !identity.scopes.includes(scope));
  const missingRoles = required.roles.filter((role) => !identity.roles.includes(role));
  if (missingScopes.length === 0 && missingRoles.length === 0) return;
  const parts = [
    missingScopes.length > 0 ? `scope${missingScopes.length > 1 ? 's' : ''} ${quoted(missingScopes)}` : '',
    missingRoles.length > 0 ? `role${missingRoles.length > 1 ? 's' : ''} ${quoted(missingRoles)}` : '',
  ].filter((part) => part !== '');
  throw authError(
    Status.PERMISSION_DENIED,
    missingScopes.length > 0 ? 'MISSING_SCOPES' : 'MISSING_ROLES',
    `${identity.subject} lacks the ${parts.join(' and the ')} this method requires`,
  );
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

function missingCredentials(tokens: boolean, certificates: boolean): string {
  if (tokens && certificates) return 'the call has no credentials: send "authorization: Bearer <token>" or a client certificate';
  if (certificates) return 'the call has no verified client certificate';
  return 'the call has no authorization header; send "authorization: Bearer <token>"';
}
