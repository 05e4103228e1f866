import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What reached the process's last-resort handlers while a test ran. */
export interface ProcessWatch {
  readonly uncaughtExceptions: unknown[];
  readonly unhandledRejections: unknown[];
  stop(): void;
}

/** Records every uncaught exception and unhandled rejection until `stop()`. */
export function watchProcess(): ProcessWatch {
  const uncaughtExceptions: unknown[] = [];
  const unhandledRejections: unknown[] = [];
  const onException = (error: unknown): void => {
    uncaughtExceptions.push(error);
  };
  const onRejection = (reason: unknown): void => {
    unhandledRejections.push(reason);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    uncaughtExceptions,
    unhandledRejections,
    stop() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

/**
 * The heap in use after full garbage collections. vitest cannot pass `--expose-gc` to one file, so the flag is
 * set at run time and `gc` taken from a fresh context, where V8 installs it once the flag is on.
 */
export function settledHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') throw new Error('could not reach the garbage collector');
  // Twice: the first pass runs finalizers whose objects the second one frees.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
