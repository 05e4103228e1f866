import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** What `createPinoLogger()` takes: pino's own options, plus whether to print for people. */
export interface PinoLoggerOptions extends LoggerOptions {
  /**
   * `'auto'` (the default) prints pretty lines when stdout is a terminal and `pino-pretty` is installed, and
   * JSON otherwise; `true` asks for pretty lines whenever `pino-pretty` is installed; `false` always prints JSON.
   */
  readonly pretty?: boolean | 'auto';
}

/**
 * A pino logger writing one JSON line per entry to stdout, which is what log collectors read. On a terminal
 * it prints pretty lines instead, when the application installed `pino-pretty` (it is not a dependency of
 * Wirekit; without it the lines stay JSON). Given a `destination`, it writes there, always as JSON.
 *
 * @example
 * const logger = createPinoLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'payments' });
 * const app = createApp({ services: [PaymentHandlers], logger, middleware: [logging({ logger })] });
 */
export function createPinoLogger(options: PinoLoggerOptions = {}, destination?: DestinationStream): Logger {
  const { pretty = 'auto', ...pinoOptions } = options;
  if (destination) return pino(pinoOptions, destination);
  // A transport the application chose wins over ours.
  const prettyTarget =
    pinoOptions.transport === undefined && (pretty === 'auto' ? process.stdout.isTTY === true : pretty) ? findPinoPretty() : undefined;
  return prettyTarget ? pino({ ...pinoOptions, transport: { target: prettyTarget } }) : pino(pinoOptions);
}

/** Where `pino-pretty` is installed: looked up from the application's directory, then from this package's. */
function findPinoPretty(): string | undefined {
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return createRequire(base).resolve('pino-pretty');
    } catch {
      // Not installed from there; printing JSON is the fallback, not an error.
    }
  }
  return undefined;
}
