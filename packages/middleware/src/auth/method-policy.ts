import { type MethodDescriptor, type MethodOption, readMethodOption } from '@wirekit/core';
import { classOptions, methodOptions } from './policy-decorators.js';

/** What a caller needs to call an rpc, as configured for a method, a service or a package. */
export interface MethodPolicy {
  /** Let callers through without credentials (unless scopes or roles are required too). */
  readonly public?: boolean;
  /** Scopes the caller must all hold. */
  readonly scopes?: readonly string[];
  /** Roles the caller must all hold. */
  readonly roles?: readonly string[];
}

/**
 * Policies by where they apply: a full method path (`/payments.v1.Payments/Refund`), a service
 * (`payments.v1.Payments`), a package prefix (`payments.*`) or `*` for everything. The most specific entry
 * for an rpc is the one used.
 */
export type PolicyMap = Readonly<Record<string, MethodPolicy>>;

/** A method's policy once decorators and configuration are combined. */
export interface EffectivePolicy {
  readonly public: boolean;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

/**
 * Public unless configured otherwise: health checks come from load balancers and orchestrators that hold no
 * credentials, and reflection describes only the API's shape. These entries matter when such a service is
 * bound through Wirekit; the ones `createApp` serves itself bypass middleware altogether (see the auth guide).
 */
export const DEFAULT_POLICIES: PolicyMap = Object.freeze({
  'grpc.health.v1.Health': Object.freeze({ public: true }),
  'grpc.reflection.*': Object.freeze({ public: true }),
});

const METHOD_KEY = /^\/[A-Za-z_][\w.]*\/[A-Za-z_]\w*$/;
const SERVICE_KEY = /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$/;
const PACKAGE_KEY = /^(?:[A-Za-z_]\w*\.)+\*$/;

/**
 * Creates the lookup of each rpc's effective policy, remembered per rpc. Configuration (the most specific
 * entry of `DEFAULT_POLICIES` overlaid with `policies`) and decorators combine so that requirements add up:
 * required scopes and roles are the union of both (a method's `@Public()` lifts only its class's
 * decorators), and an rpc is public when either marks it public and nothing is required. A contradiction
 * (public, yet a scope required) thus fails closed.
 *
 * @throws Error at startup for a key that is not a method path, a service, a `package.*` prefix or `*`.
 *
 * @example
 * const resolve = createPolicyResolver({ 'payments.v1.Payments': { scopes: ['payments'] } });
 * resolve(call.method); // { public: false, scopes: ['payments'], roles: [] }
 */
export function createPolicyResolver(policies: PolicyMap = {}): (method: MethodDescriptor) => EffectivePolicy {
  const merged: PolicyMap = { ...DEFAULT_POLICIES, ...policies };
  for (const [key, policy] of Object.entries(merged)) checkEntry(key, policy);
  // Keyed by the descriptor, which the app builds once per bound rpc: one middleware given to two apps
  // still sees each app's decorators.
  const resolved = new WeakMap<MethodDescriptor, EffectivePolicy>();
  return function resolvePolicy(method) {
    let policy = resolved.get(method);
    if (policy === undefined) {
      policy = combine(configured(merged, method), method);
      resolved.set(method, policy);
    }
    return policy;
  };
}

function configured(policies: PolicyMap, method: MethodDescriptor): MethodPolicy {
  const exact = policies[method.path] ?? policies[method.service];
  if (exact !== undefined) return exact;
  // The longest package prefix wins: `acme.billing.*` over `acme.*`.
  const segments = method.service.split('.');
  for (let length = segments.length - 1; length > 0; length--) {
    const prefix = policies[`${segments.slice(0, length).join('.')}.*`];
    if (prefix !== undefined) return prefix;
  }
  return policies['*'] ?? {};
}

function combine(config: MethodPolicy, method: MethodDescriptor): EffectivePolicy {
  const read = <T>(option: MethodOption<T>): T | undefined => readMethodOption(method, option);
  // A method's own @Public() lifts its class's requirements; otherwise the class's and the method's add up.
  const methodPublic = read(methodOptions.public) === true;
  const decoratedScopes = union(methodPublic ? [] : read(classOptions.scopes), read(methodOptions.scopes));
  const decoratedRoles = union(methodPublic ? [] : read(classOptions.roles), read(methodOptions.roles));
  const scopes = union(config.scopes, decoratedScopes);
  const roles = union(config.roles, decoratedRoles);
  const markedPublic = config.public === true || methodPublic || read(classOptions.public) === true;
  return Object.freeze({ public: markedPublic && scopes.length === 0 && roles.length === 0, scopes, roles });
}

function union(first: readonly string[] = [], second: readonly string[] = []): readonly string[] {
  return Object.freeze([...new Set([...first, ...second])]);
}

function checkEntry(key: string, policy: MethodPolicy): void {
  if (key !== '*' && !METHOD_KEY.test(key) && !SERVICE_KEY.test(key) && !PACKAGE_KEY.test(key)) {
    throw new Error(
      `auth({ policy }): "${key}" is not a method path (/pkg.Service/Method), a service (pkg.Service), a package (pkg.*) or *`,
    );
  }
  for (const name of [...(policy.scopes ?? []), ...(policy.roles ?? [])]) {
    if (name.trim() === '') throw new Error(`auth({ policy }): "${key}" requires an empty scope or role name`);
  }
}
