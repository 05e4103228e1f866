// Public API of @wirekit/core/generator: TypeScript from .proto files. The wirekit-generate command (cli.ts)
// wraps the same function.

export type { GenerateTypeScriptOptions } from './generate-types.js';
export { generateTypeScript } from './generate-types.js';
export type { CliOutput, GenerateCliArgs } from './run-cli.js';
export { GENERATE_USAGE, parseGenerateArgs, runCli as runGenerateCli } from './run-cli.js';
