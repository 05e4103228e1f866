import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Resolves once `condition()` holds, checking after each turn of the event loop: a wait for a state the server
 * reaches on its own (a call leaving the in-flight set), bounded by the test's timeout, never a fixed delay.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await nextTurn();
}
