import { type Metadata, type ServerMiddleware, Status, statusName } from '@wirekit/core';
import type { LevelWithSilent, Logger } from 'pino';
import { identityKey } from '../shared/identity.js';
import { observingMiddleware } from '../shared/observe-call.js';
import { traceIdsKey } from '../shared/trace-ids.js';
import { callLogLevel } from './call-log-level.js';
import { PayloadLog } from './payload-log.js';
import { requestIdOf } from './request-id.js';
import { requestLoggerKey } from './request-logger.js';

/** What `logging()` takes. */
export interface LoggingOptions {
  /** Where the lines go: a pino logger, such as `createPinoLogger()`. */
  readonly logger: Logger;
  /**
   * The level of a call's line. A level name applies to successful calls (e.g. `'debug'` to keep them out of
   * production logs), while failures keep `callLogLevel`'s `warn` and `error`; a function decides for every
   * status code. `'silent'` writes no line. Default `'info'`.
   */
  readonly level?: LevelWithSilent | ((code: Status) => LevelWithSilent);
  /**
   * Pino redaction paths for the call's line. The request headers that carry credentials (`authorization`,
   * `cookie`, `x-api-key`) are always written as `[Redacted]`, whatever is given here. Paths name fields of the
   * line, such as `metadata["x-session-token"]` or `peer`; payloads are JSON text, out of redaction's reach.
   * Without this option the logger's own `redact` applies to the call's line; with it, these paths replace the
   * logger's for that line (a pino child's redaction replaces its parent's), so list here whatever the line must
   * hide. The logger's own `redact` always applies to the handlers' `requestLoggerKey` lines.
   */
  readonly redact?: readonly string[];
  /**
   * Adds the messages to the line as JSON text, in the canonical proto3 JSON mapping (64-bit integers as
   * strings, enums by name, `Timestamp` as RFC 3339, defaults left out). A message that mapping cannot show is
   * written as plain JSON, and `requestJsonProblem` / `responseJsonProblem` say why. Off by default: messages
   * may hold personal data.
   */
  readonly logPayloads?: boolean;
  /** How many bytes of JSON each direction's messages may take in a line; the rest is cut. Default 2048. */
  readonly payloadMaxBytes?: number;
}

/** Request headers that carry credentials: their values are never written to a log. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'x-api-key']);

/** What a redacted value reads as, as pino's redaction writes it. */
const REDACTED = '[Redacted]';

/**
 * Server middleware writing one structured line per call when it ends, in all four modes: `method`, `mode`,
 * `peer`, `status` (the code's name) and `code` (its number), `durationMs`, `messagesReceived` and
 * `messagesSent`, `requestId`, the request `metadata` (credentials redacted), `traceId` and `spanId` when a
 * tracing middleware set `traceIdsKey`, and `subject` when an auth middleware set `identityKey`. A failed call
 * adds `statusMessage`; a line at `error` level adds `err`, the value the handler threw, with its stack and
 * causes. A call the client cancelled or abandoned mid-stream is logged as CANCELLED (or DEADLINE_EXCEEDED).
 *
 * Handlers get a child logger under `requestLoggerKey`, carrying `method` and `requestId`: the caller's
 * `x-request-id` header when it looks like an id, otherwise a random UUID. Put `logging` before the
 * middleware whose failures it should log, and after a tracing middleware so handler lines carry trace ids.
 *
 * Cost when on: one child logger, one UUID and one copy of the request headers per call; a line below the
 * logger's level is never built. With `logPayloads`, one `toJson` and `JSON.stringify` per message until the budget
 * is spent.
 *
 * @example
 * const app = createApp({
 *   services: [PaymentHandlers],
 *   middleware: [logging({ logger: createPinoLogger(), level: 'debug', redact: ['metadata["x-session"]'] })],
 * });
 */
export function logging(options: LoggingOptions): ServerMiddleware {
  const { logger, level = 'info', redact = [], logPayloads = false, payloadMaxBytes = 2048 } = options;
  if (!Number.isSafeInteger(payloadMaxBytes) || payloadMaxBytes < 1) {
    throw new RangeError(`logging: payloadMaxBytes must be a positive whole number of bytes, not ${payloadMaxBytes}`);
  }
  const levelOf =
    typeof level === 'function' ? level : (code: Status): LevelWithSilent => (code === Status.OK ? level : callLogLevel(code));
  // Credentials are left out of the line as it is built, so the line needs pino's redaction (a copy of the line
  // per call) only for paths the application adds. A child with its own redaction replaces the parent's, so only
  // the call's lines go through it; handlers get children of `logger` itself.
  const callLogger = redact.length > 0 ? logger.child({}, { redact: [...redact] }) : logger;

  // The call's logger and request id are made when the call starts running.
  return observingMiddleware('logCall', (call) => {
    const { context, method } = call;
    const requestId = requestIdOf(context.metadata);
    const startTrace = context.get(traceIdsKey);
    context.set(
      requestLoggerKey,
      logger.child(
        startTrace
          ? { method: method.path, requestId, traceId: startTrace.traceId, spanId: startTrace.spanId }
          : { method: method.path, requestId },
      ),
    );
    const peer = context.peer;
    const requests = logPayloads ? new PayloadLog(payloadMaxBytes, method.requestStream, method.requestToJson) : undefined;
    const responses = logPayloads ? new PayloadLog(payloadMaxBytes, method.responseStream, method.responseToJson) : undefined;

    return {
      onRequest: requests && ((message) => requests.add(message)),
      onResponse: responses && ((message) => responses.add(message)),
      onEnd(outcome) {
        const lineLevel = levelOf(outcome.code);
        if (lineLevel === 'silent' || !callLogger.isLevelEnabled(lineLevel)) return;
        const line: Record<string, unknown> = {
          requestId,
          method: method.path,
          mode: method.mode,
          peer,
          status: statusName(outcome.code),
          code: outcome.code,
          durationMs: Math.round(outcome.durationMs * 1000) / 1000,
          messagesReceived: outcome.messagesReceived,
          messagesSent: outcome.messagesSent,
        };
        // Read at the end: a tracing or auth middleware inside this one sets them during the call.
        const trace = context.get(traceIdsKey);
        if (trace) {
          line.traceId = trace.traceId;
          line.spanId = trace.spanId;
        }
        const subject = context.get(identityKey)?.subject;
        if (subject !== undefined) line.subject = subject;
        line.metadata = headerFields(context.metadata);
        if (outcome.error) line.statusMessage = outcome.error.rawMessage;
        if (outcome.error && (lineLevel === 'error' || lineLevel === 'fatal')) line.err = outcome.thrown ?? outcome.error;
        const requestText = requests?.text();
        if (requestText !== undefined) line[method.requestStream ? 'requests' : 'request'] = requestText;
        const requestProblem = requests?.problem();
        if (requestProblem !== undefined) line.requestJsonProblem = requestProblem;
        const responseText = responses?.text();
        if (responseText !== undefined) line[method.responseStream ? 'responses' : 'response'] = responseText;
        const responseProblem = responses?.problem();
        if (responseProblem !== undefined) line.responseJsonProblem = responseProblem;
        callLogger[lineLevel](line, 'call ended');
      },
    };
  });
}

/** Request headers as log fields: credentials redacted, repeated values joined as HTTP/2 joins them, binary values by size. */
function headerFields(metadata: Metadata): Record<string, string> {
  // No prototype: a client may send a header named `__proto__`.
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of metadata) {
    const shown = CREDENTIAL_HEADERS.has(key) ? REDACTED : typeof value === 'string' ? value : `<${value.byteLength} bytes>`;
    const before = fields[key];
    fields[key] = before === undefined ? shown : `${before}, ${shown}`;
  }
  return fields;
}
