// Public API of @wirekit/cli: the `wirekit` command as a function, for scripts and tests.

export { runCli } from './run-cli.js';
export { processOutput } from './command-output.js';
export type { CommandOutput } from './command-output.js';
