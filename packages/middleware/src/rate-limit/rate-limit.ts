import {
  createStderrLogger,
  type Logger,
  type MethodDescriptor,
  type QuotaFailure,
  RpcError,
  readMethodOption,
  retryInfo,
  type ServerCall,
  type ServerMiddleware,
  Status,
  withSingleForm,
} from '@wirekit/core';
import { memoryStore } from './memory-store.js';
import { type Limit, type ParsedLimit, parseLimit } from './parse-limit.js';
import { type RateLimitKey, type ResolvedKey, resolveKey } from './rate-limit-key.js';
import { RateLimit } from './rate-limit-option.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Options of `rateLimit`. */
export interface RateLimitOptions {
  /** The limit of every rpc that has no limit of its own, e.g. `'100/s'`; `'unlimited'` to limit only some. */
  readonly limit: Limit;
  /**
   * Limits by full method path (`/payments.v1.PaymentService/Charge`), from configuration. They win over the
   * `RateLimit` decorator, so operators can tune a limit without a release.
   */
  readonly methods?: Readonly<Record<string, Limit>>;
  /** Whom a limit counts. Default: `'method'`, every caller of the rpc together. */
  readonly key?: RateLimitKey;
  /** Where the buckets live. Default: a new in-memory store (per replica). */
  readonly store?: RateLimitStore;
  /** Whether each request message of a client or bidi stream also takes a token. Default: false. */
  readonly perMessage?: boolean;
  /**
   * When the store cannot decide (Redis is unreachable): true lets calls through unlimited, false refuses them
   * with UNAVAILABLE. Either way a warning is logged once per outage. Default: true, so that losing Redis does not
   * take the service down with it.
   */
  readonly failOpen?: boolean;
  /** Where the store's outages are reported. Default: JSON lines on stderr. */
  readonly logger?: Logger;
  /** The clock of the default in-memory store, in milliseconds. Default: `performance.now()`. */
  readonly clock?: () => number;
}

/** How one rpc is limited, worked out once per method. */
interface MethodPlan {
  readonly limit: ParsedLimit;
  readonly key: RateLimitKey;
  readonly perMessage: boolean;
}

/**
 * Limits how often each rpc may be called, for all four modes: a call takes one token when it starts, and with
 * `perMessage` each request message of a stream takes one more. Over the limit the call (or the stream) ends
 * with RESOURCE_EXHAUSTED, carrying `RetryInfo` (when the next token is available) and `QuotaFailure` details.
 *
 * A method's limit is, in order: `methods[path]`, its `@RateLimit` decorator, `limit`.
 *
 * @example
 * const app = createApp({
 *   services: [PaymentHandlers],
 *   middleware: [rateLimit({ limit: '100/s', key: 'identity', methods: { '/payments.v1.PaymentService/Refund': '5/min' } })],
 * });
 */
export function rateLimit(options: RateLimitOptions): ServerMiddleware {
  const { limit, methods = {}, key = 'method', perMessage = false, failOpen = true, clock } = options;
  const { store = memoryStore(clock ? { clock } : {}), logger = createStderrLogger() } = options;
  const defaultLimit = parseLimit(limit);
  const configured = new Map<string, ParsedLimit | undefined>();
  for (const [path, methodLimit] of Object.entries(methods)) {
    if (!/^\/[^/]+\/[^/]+$/.test(path)) {
      throw new RangeError(`rateLimit methods: "${path}" is not a full method path; write it like '/payments.v1.PaymentService/Charge'`);
    }
    configured.set(path, parseLimit(methodLimit));
  }
  const plans = new WeakMap<MethodDescriptor, MethodPlan | undefined>();
  const planFor = (method: MethodDescriptor): MethodPlan | undefined => {
    if (plans.has(method)) return plans.get(method);
    const decorated = readMethodOption(method, RateLimit);
    const methodLimit = configured.has(method.path) ? configured.get(method.path) : decorated ? parseLimit(decorated.limit) : defaultLimit;
    const plan = methodLimit && { limit: methodLimit, key: decorated?.key ?? key, perMessage: decorated?.perMessage ?? perMessage };
    plans.set(method, plan);
    return plan;
  };

  let storeFailing = false;
  const admit = async (call: ServerCall, plan: MethodPlan, resolved: ResolvedKey, what: 'call' | 'message'): Promise<void> => {
    let allowed: boolean;
    let retryAfterMs: number;
    try {
      ({ allowed, retryAfterMs } = await store.take(resolved.bucket, plan.limit, 1));
    } catch (error: unknown) {
      if (!storeFailing) {
        storeFailing = true;
        // The error's name and code say what went wrong; its message and the bucket key are left out, since
        // they may carry connection details or a caller's identity.
        logger.warn(
          { method: call.method.path, failOpen, error: errorSummary(error) },
          failOpen
            ? 'rate limit store unavailable: failing open, calls are let through without a limit until it recovers'
            : 'rate limit store unavailable: failing closed, calls are refused with UNAVAILABLE until it recovers',
        );
      }
      if (failOpen) return;
      throw new RpcError(Status.UNAVAILABLE, 'the rate limiter is unavailable; try again later', { cause: error });
    }
    if (storeFailing) {
      storeFailing = false;
      logger.info({ method: call.method.path }, 'rate limit store available again: limits apply');
    }
    if (!allowed) throw overLimit(call.method.path, plan.limit, resolved.subject, retryAfterMs, what);
  };

  /** Admits the call (or refuses it), and gives the call to run: its requests metered when the limit is per message. */
  const meter = async <Req>(call: ServerCall<Req>): Promise<ServerCall<Req>> => {
    const plan = planFor(call.method);
    if (!plan) return call;
    const resolved = resolveKey(call, plan.key);
    await admit(call, plan, resolved, 'call');
    if (!plan.perMessage || !call.requestStream) return call;
    const requests = call.requests;
    // Refusing from inside the request stream makes the handler's `for await` throw, which ends the call with
    // this status; the messages already handled stay handled.
    const metered = async function* metered() {
      for await (const request of requests) {
        await admit(call, plan, resolved, 'message');
        yield request;
      }
    };
    return { ...call, requests: metered() };
  };

  return withSingleForm(
    async function* rateLimit(call, next) {
      return yield* next(await meter(call));
    },
    async (call, next) => next(await meter(call)),
  );
}

function overLimit(path: string, limit: ParsedLimit, subject: string, retryAfterMs: number, what: 'call' | 'message'): RpcError {
  const quotaFailure: QuotaFailure = {
    type: 'google.rpc.QuotaFailure',
    violations: [{ subject, description: `at most ${limit.text} for ${path}`, quotaValue: BigInt(limit.count) }],
  };
  const counted = what === 'call' ? path : `the request messages of ${path}`;
  return new RpcError(Status.RESOURCE_EXHAUSTED, `rate limit of ${limit.text} exceeded for ${counted}`, {
    details: [retryInfo(Math.ceil(retryAfterMs)), quotaFailure],
  });
}

function errorSummary(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, code } : { name: error.name };
}
