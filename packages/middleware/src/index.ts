// @wirekit/middleware: its middleware (auth, logging, tracing, metrics, rate limiting, retry) is built on the
// core's middleware chain in the middleware issue; until then the package exports nothing.
export {};
