import type { Logger } from 'pino';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Keeps listening for SIGTERM and SIGINT for as long as the process runs, so that once the first has started the
 * app's graceful shutdown, each further one is logged and the drain goes on, instead of killing the process with
 * calls in progress.
 *
 * Why: the app stops listening for these signals once the first arrives, and with no listener left a repeat gets
 * Node's default action (exit at once). Repeats are the normal case, not an impatient user: under `npm start` one
 * Ctrl-C reaches the server two or three times (the terminal signals the whole foreground process group, and each
 * npm forwards its own copy to its child), and systemd's default `KillMode=control-group` signals every process
 * of the unit. The drain stays bounded by `PAYMENTS_SHUTDOWN_GRACE_MS`; SIGKILL still stops the process at once.
 *
 * One listener per signal, never removed: removing a signal's last listener closes Node's watcher for it, and a
 * signal that arrives while it is closed and opened again is dropped, so swapping listeners would lose repeats.
 * Call it after `app.listen()`, so that the app's own handler runs first and starts the shutdown.
 */
export function ignoreRepeatedShutdownSignals(logger: Logger, shutdownGraceMs: number): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!shuttingDown) {
      // The first: the app's handler, which ran just before this one, has started the shutdown.
      shuttingDown = true;
      return;
    }
    logger.warn(
      { signal },
      `already shutting down gracefully: calls in progress have up to ${shutdownGraceMs} ms in all (PAYMENTS_SHUTDOWN_GRACE_MS); SIGKILL stops the process now`,
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
