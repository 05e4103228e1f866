// Public API of @wirekit/middleware's root entry: what every middleware shares. Each middleware has its own
// entry point (`@wirekit/middleware/auth`, `/logging`, `/tracing`, `/metrics`, `/rate-limit`, `/retry`,
// `/deadline`, `/recovery`), so a service pays only for what it imports.

export { identityKey } from './shared/identity.js';
export type { Identity } from './shared/identity.js';
export { traceIdsKey } from './shared/trace-ids.js';
export type { TraceIds } from './shared/trace-ids.js';
export { observeCall, observeClientCall } from './shared/observe-call.js';
export type { CallObserver, CallOutcome } from './shared/observe-call.js';
