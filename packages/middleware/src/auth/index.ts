// Public API of @wirekit/middleware/auth: the server's auth middleware with its policy decorators, and the
// client's credentials middleware; also the identity key it fills (from the root entry), so one import suffices.

export type { Identity } from '../shared/identity.js';
export { identityKey } from '../shared/identity.js';
export type { ApiToken } from './api-tokens.js';
export type { AuthOptions } from './auth.js';
export { auth } from './auth.js';
export type { AuthFailureReason } from './auth-error.js';
export { AUTH_ERROR_DOMAIN, authFailureReason } from './auth-error.js';
export type { CredentialsOptions } from './credentials.js';
export { credentials } from './credentials.js';
export type { JwtOptions } from './jwt-verifier.js';
export type { EffectivePolicy, MethodPolicy, PolicyMap } from './method-policy.js';
export { DEFAULT_POLICIES } from './method-policy.js';
export type { MtlsOptions } from './mtls-identity.js';
export { Public, RequireRoles, RequireScopes } from './policy-decorators.js';
export type { ProvidedToken, TokenSourceOptions } from './token-source.js';
export type { JwksOptions, JwtAlgorithm, KeySource } from './verification-key.js';
export type { JwtCacheOptions } from './verified-token-cache.js';
