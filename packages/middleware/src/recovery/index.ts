// Public API of @wirekit/middleware/recovery: unexpected errors become INTERNAL, logged, in the chain.

export type { RecoveryOptions } from './recovery.js';
export { recovery } from './recovery.js';
