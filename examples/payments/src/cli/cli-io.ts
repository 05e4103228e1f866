/**
 * Where a payments command writes and what it reads from its process, injected so that tests run each command
 * as a function. `stdout` and `stderr` take text as it is to be written (lines end with `\n`).
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether standard error is a terminal, where `import` draws its progress bar. */
  readonly stderrIsTty?: boolean;
  /** `PAYMENTS_ADDR` and `PAYMENTS_TOKEN` are read from here. */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: `watch --follow` then ends its call and exits 0. */
  readonly signal?: AbortSignal;
}

/** The process's own streams and environment, with `signal` aborted on SIGINT. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    signal,
  };
}
