// Public API of @wirekit/middleware/rate-limit: the middleware, its decorator, limits and stores.

export type { MemoryStoreOptions } from './memory-store.js';
export { memoryStore } from './memory-store.js';
export type { Limit, ParsedLimit } from './parse-limit.js';
export { parseLimit } from './parse-limit.js';
export type { RateLimitOptions } from './rate-limit.js';
export { rateLimit } from './rate-limit.js';
export type { RateLimitKey } from './rate-limit-key.js';
export type { MethodRateLimit } from './rate-limit-option.js';
export { RateLimit } from './rate-limit-option.js';
export type { RateLimitDecision, RateLimitStore } from './rate-limit-store.js';
export type { RedisScriptClient, RedisStoreOptions } from './redis-store.js';
export { redisStore } from './redis-store.js';
