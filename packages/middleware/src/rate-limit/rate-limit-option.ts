import { createMethodOption, type MethodOption } from '@wirekit/core';
import { type Limit, parseLimit } from './parse-limit.js';
import type { RateLimitKey } from './rate-limit-key.js';

/** A method's own limit, set with the `RateLimit` decorator. */
export interface MethodRateLimit {
  readonly limit: Limit;
  /** Whom the limit counts; the middleware's `key` when absent. */
  readonly key?: RateLimitKey;
  /** Whether each request message of a stream also takes a token; the middleware's `perMessage` when absent. */
  readonly perMessage?: boolean;
}

const option = createMethodOption<MethodRateLimit>('wirekit.rateLimit');

/**
 * Sets the rate limit of one rpc (on a method) or of every rpc of a service (on the class); the `rateLimit`
 * middleware reads it. The limit is checked when the class is defined, so a typo fails at startup.
 *
 * @example
 * @RateLimit({ limit: '5/min', key: 'identity' })
 * @UnaryMethod()
 * async resetPassword(request: ResetRequest): Promise<ResetReply> { … }
 */
export const RateLimit: MethodOption<MethodRateLimit> = Object.assign(
  (setting: MethodRateLimit) => {
    parseLimit(setting.limit);
    return option(setting);
  },
  { key: option.key, description: option.description },
);
