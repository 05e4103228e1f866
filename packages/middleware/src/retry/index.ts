// Public API of @wirekit/middleware/retry: client-side retries (gRFC A6), as a wrapper of the client's transport.

export type { RetryOptions } from './retry.js';
export { retry } from './retry.js';
