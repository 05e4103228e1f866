// Public API of @wirekit/middleware/logging: structured call logs with pino.

export type { TraceIds } from '../shared/trace-ids.js';
export { traceIdsKey } from '../shared/trace-ids.js';
export { callLogLevel } from './call-log-level.js';
export type { PinoLoggerOptions } from './create-pino-logger.js';
export { createPinoLogger } from './create-pino-logger.js';
export type { LoggingOptions } from './logging.js';
export { logging } from './logging.js';
export { requestLoggerKey } from './request-logger.js';
