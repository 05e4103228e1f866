/**
 * Where the framework reports what the client must not see (the cause of an INTERNAL error, a failed shutdown
 * hook). The signature is pino's, so a pino logger fits as is.
 */
export interface Logger {
  error(fields: Readonly<Record<string, unknown>>, message: string): void;
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
  info(fields: Readonly<Record<string, unknown>>, message: string): void;
}

/** A logger writing one JSON line per entry to stderr; the default until an app passes its own. */
export function createStderrLogger(): Logger {
  const write = (level: string, fields: Readonly<Record<string, unknown>>, message: string): void => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...serialisable(fields) })}\n`);
  };
  return {
    error: (fields, message) => write('error', fields, message),
    warn: (fields, message) => write('warn', fields, message),
    info: (fields, message) => write('info', fields, message),
  };
}

/** A logger that drops everything, for tests and tools that print their own output. */
export function createSilentLogger(): Logger {
  const drop = (): void => {};
  return { error: drop, warn: drop, info: drop };
}

function serialisable(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    result[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return result;
}
