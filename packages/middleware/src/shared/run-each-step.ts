/**
 * Runs a generator with every step inside `within` (an OpenTelemetry `context.with`, an `AsyncLocalStorage`
 * `run`), so the code it drives, and the promises that code creates, see what `within` sets up.
 *
 * `yield*` alone would not do: a generator resumes in the context of whoever calls `next()` (the server's stream
 * loop), not of the code that created it, so each `next()` and `return()` is wrapped, as is its creation.
 *
 * @example
 * yield* runEachStep(() => next(call), (step) => storage.run(inherited, step));
 */
export async function* runEachStep<T>(
  start: () => AsyncGenerator<T, void, undefined>,
  within: <R>(step: () => R) => R,
): AsyncGenerator<T, void, undefined> {
  const steps = within(start);
  let finished = false;
  try {
    while (true) {
      const step = await within(() => steps.next());
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } catch (error: unknown) {
    // A generator that threw is already closed: there is nothing left to close.
    finished = true;
    throw error;
  } finally {
    // Closed early (the call was abandoned): let the inner generators run their own `finally` blocks.
    if (!finished) await within(() => steps.return());
  }
}
