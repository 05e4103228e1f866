import { type Context, context } from '@opentelemetry/api';

/**
 * Runs a generator with `active` as the OpenTelemetry context of every step, so that the code it drives (the
 * handler and the middleware inside this one) sees the span as active, as do the promises it creates, which is
 * what makes a handler's own outgoing calls children of its span.
 *
 * `yield*` alone would not do: a generator resumes in the context of whoever calls `next()` (here the server's
 * stream loop), not of the code that created it, so each `next()` and `return()` is wrapped in `context.with`.
 *
 * @example
 * yield* runInContext(trace.setSpan(parent, span), () => next(call));
 */
export async function* runInContext<T>(
  active: Context,
  start: () => AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  const steps = context.with(active, start);
  let finished = false;
  try {
    while (true) {
      const step = await context.with(active, () => steps.next());
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
    if (!finished) await context.with(active, () => steps.return());
  }
}
