import { RpcError, Status } from '@wirekit/core';
import type { ImportSummary, LedgerEntry } from '../gen/payments.js';
import type { PaymentsClient } from './serve-payments.js';

/** An ImportLedger request stream that sends `first`, then waits for `finish()` (if ever) before sending `rest`. */
export function pausedImport(first: readonly LedgerEntry[], rest: readonly LedgerEntry[]) {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let paused!: () => void;
  const isPaused = new Promise<void>((resolve) => (paused = resolve));
  const entries = (async function* () {
    yield* first;
    paused();
    await finished;
    yield* rest;
  })();
  return { entries, isPaused, finish };
}

/**
 * Starts an import that has sent `first` and is held open, and makes sure the server is handling it: a later
 * call on the same connection is answered only after the server has read the import's headers and the entries
 * sent before it (HTTP/2 frames arrive in order), so by then the import is in its handler.
 */
export async function importInFlight(
  client: PaymentsClient,
  first: readonly LedgerEntry[],
  rest: readonly LedgerEntry[],
  options: { readonly metadata?: Readonly<Record<string, string>> } = {},
): Promise<{ summary: Promise<ImportSummary>; finish: () => void }> {
  const held = pausedImport(first, rest);
  const summary = client.importLedger(held.entries, options);
  summary.catch(() => {}); // awaited by the test; this keeps an early failure from being unhandled meanwhile
  await held.isPaused;
  const barrier = await client.getPayment({ paymentId: 'pay_barrier' }, options).then(
    () => Status.OK,
    (error: unknown) => RpcError.from(error).code,
  );
  if (barrier !== Status.NOT_FOUND) throw new Error(`the barrier call ended with ${Status[barrier]}, not NOT_FOUND`);
  return { summary, finish: held.finish };
}
