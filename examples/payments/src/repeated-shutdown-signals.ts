import type { Logger } from 'pino';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * After the first SIGTERM or SIGINT has started the app's graceful shutdown, logs each further one and lets the
 * drain go on, instead of letting it kill the process with calls in progress.
 *
 * Why: the app stops listening for these signals once the first arrives, so a repeat would get Node's default
 * action (exit at once). Repeats are the normal case, not an impatient user: under `npm start` one Ctrl-C reaches
 * the server two or three times (the terminal signals the whole foreground process group, and each npm forwards
 * its own copy to its child), and systemd's default `KillMode=control-group` signals every process of the unit.
 * The drain stays bounded by `PAYMENTS_SHUTDOWN_GRACE_MS`; SIGKILL still stops the process at once.
 *
 * Call it after `app.listen()`, so that the app's own handler starts the shutdown before this one takes over.
 */
export function ignoreRepeatedShutdownSignals(logger: Logger, shutdownGraceMs: number): void {
  const repeated = (signal: NodeJS.Signals): void => {
    logger.warn(
      { signal },
      `already shutting down gracefully: calls in progress have up to ${shutdownGraceMs} ms in all (PAYMENTS_SHUTDOWN_GRACE_MS); SIGKILL stops the process now`,
    );
  };
  const first = (): void => {
    for (const signal of SHUTDOWN_SIGNALS) {
      process.removeListener(signal, first);
      process.on(signal, repeated);
    }
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, first);
}
