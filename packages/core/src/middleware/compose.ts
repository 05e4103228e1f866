/**
 * One step of a chain around the rest of it: an async generator for server and client middleware, or a promise
 * for a server middleware's `single` form.
 */
type Step<Call, Out> = (call: Call, next: (call: Call) => Out) => Out;

/**
 * Builds one chain from middleware and the innermost step, once per method at startup (never per call).
 * The first middleware is outermost. A middleware that calls `next` twice gets an Error instead of a second run;
 * `names` name the middleware in it (default: each step's own name).
 */
export function composeMiddleware<Call, Out>(
  middleware: readonly Step<Call, Out>[],
  innermost: (call: Call) => Out,
  names: readonly string[] = middleware.map((step) => step.name),
): (call: Call) => Out {
  let chain = innermost;
  for (let index = middleware.length - 1; index >= 0; index--) {
    const current = middleware[index] as Step<Call, Out>;
    const name = names[index] || '(anonymous)';
    const inner = chain;
    chain = (call) => {
      let called = false;
      return current(call, (nextCall) => {
        if (called) throw new Error(`middleware ${name} called next() twice; a call runs the rest of the chain once`);
        called = true;
        return inner(nextCall);
      });
    };
  }
  return chain;
}
