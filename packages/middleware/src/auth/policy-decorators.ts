import { createMethodOption, type MethodOption, type MethodOptionDecorator } from '@wirekit/core';

/** The decorators' settings at one level: on the class (every rpc) or on the method (one rpc). */
export interface DecoratorOptions {
  readonly public: MethodOption<boolean>;
  readonly scopes: MethodOption<readonly string[]>;
  readonly roles: MethodOption<readonly string[]>;
}

// Keys, not state: a decorator and the middleware must agree on them. Class and method settings have keys of
// their own so that the policy can tell them apart: a method's `@Public()` opts it out of its class's
// requirements, while requirements at both levels add up.
export const classOptions: DecoratorOptions = {
  public: createMethodOption<boolean>('wirekit.auth.class-public'),
  scopes: createMethodOption<readonly string[]>('wirekit.auth.class-scopes'),
  roles: createMethodOption<readonly string[]>('wirekit.auth.class-roles'),
};
export const methodOptions: DecoratorOptions = {
  public: createMethodOption<boolean>('wirekit.auth.method-public'),
  scopes: createMethodOption<readonly string[]>('wirekit.auth.method-scopes'),
  roles: createMethodOption<readonly string[]>('wirekit.auth.method-roles'),
};

/**
 * Marks an rpc (on a method) or every rpc of a service (on the class) as public: the auth middleware lets
 * callers through without authenticating them. On a method it also lifts the class's requirements; a method
 * that requires scopes or roles itself is never public.
 *
 * @example
 * @Public() @UnaryMethod() async status(): Promise<StatusReply> { … }
 */
export function Public(): MethodOptionDecorator {
  return atLevel((options) => options.public(true));
}

/**
 * Requires the caller to hold every one of `scopes`, else the call fails with PERMISSION_DENIED naming the
 * missing ones. On the class it applies to every rpc; a method's own requirements add to the class's.
 *
 * @example
 * @RequireScopes('payments:write') @UnaryMethod() async charge(request: ChargeRequest) { … }
 */
export function RequireScopes(...scopes: [string, ...string[]]): MethodOptionDecorator {
  const names = checked('RequireScopes', scopes);
  return atLevel((options) => options.scopes(names));
}

/**
 * Requires the caller to hold every one of `roles`, else the call fails with PERMISSION_DENIED naming the
 * missing ones. On the class it applies to every rpc; a method's own requirements add to the class's.
 *
 * @example
 * @RequireRoles('admin') @UnaryMethod() async refund(request: RefundRequest) { … }
 */
export function RequireRoles(...roles: [string, ...string[]]): MethodOptionDecorator {
  const names = checked('RequireRoles', roles);
  return atLevel((options) => options.roles(names));
}

function atLevel(decoratorFor: (options: DecoratorOptions) => MethodOptionDecorator): MethodOptionDecorator {
  return function setAuthOption(target, propertyKey, descriptor) {
    decoratorFor(propertyKey === undefined ? classOptions : methodOptions)(target, propertyKey, descriptor);
  };
}

function checked(decorator: string, names: readonly string[]): readonly string[] {
  if (names.length === 0 || names.some((name) => name.trim() === '')) throw new Error(`@${decorator}() needs one or more non-empty names`);
  return Object.freeze([...names]);
}
