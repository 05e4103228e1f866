/** One step of a chain: an async generator around the rest of it (server and client middleware alike). */
type Step<Call, Res> = (call: Call, next: (call: Call) => AsyncGenerator<Res, void, undefined>) => AsyncGenerator<Res, void, undefined>;

/**
 * Builds one chain from middleware and the innermost step, once per method at startup (never per call).
 * The first middleware is outermost. A middleware that calls `next` twice gets an Error instead of a second run.
 */
export function composeMiddleware<Call, Res>(
  middleware: readonly Step<Call, Res>[],
  innermost: (call: Call) => AsyncGenerator<Res, void, undefined>,
): (call: Call) => AsyncGenerator<Res, void, undefined> {
  let chain = innermost;
  for (let index = middleware.length - 1; index >= 0; index--) {
    const current = middleware[index] as Step<Call, Res>;
    const inner = chain;
    chain = (call) => {
      let called = false;
      return current(call, (nextCall) => {
        if (called)
          throw new Error(`middleware ${current.name || '(anonymous)'} called next() twice; a call runs the rest of the chain once`);
        called = true;
        return inner(nextCall);
      });
    };
  }
  return chain;
}
