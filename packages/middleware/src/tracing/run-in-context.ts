import { type Context, context } from '@opentelemetry/api';
import { runEachStep } from '../shared/run-each-step.js';

/**
 * Runs a generator with `active` as the OpenTelemetry context of every step, so that the code it drives (the
 * handler and the middleware inside this one) sees the span as active, as do the promises it creates, which is
 * what makes a handler's own outgoing calls children of its span.
 *
 * @example
 * yield* runInContext(trace.setSpan(parent, span), () => next(call));
 */
export function runInContext<T>(active: Context, start: () => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  return runEachStep(start, (step) => context.with(active, step));
}
