import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The options every command takes: where the service is, the bearer token, JSON output and help. */
const COMMON_OPTIONS = {
  addr: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies OptionsConfig;

/** The lines of usage text describing `COMMON_OPTIONS`, for each command's help. */
export const COMMON_USAGE = `Common options:
  --addr <host:port>   the payments service (default: PAYMENTS_ADDR, or 127.0.0.1:50051)
  --token <token>      the bearer token (default: PAYMENTS_TOKEN)
  --json               print the responses in the proto3 JSON mapping
  -h, --help           print this help`;

interface CommandArgsConfig<O extends OptionsConfig> {
  args: string[];
  options: typeof COMMON_OPTIONS & O;
  allowPositionals: true;
  strict: true;
}

/** The options (common ones included) and positional arguments of a command. */
export type ParsedCommandArgs<O extends OptionsConfig> = ReturnType<typeof parseArgs<CommandArgsConfig<O>>>;

/**
 * Parses a command's arguments with `node:util`'s `parseArgs`, adding the common options; a parse error becomes
 * a `UsageError` carrying `usage`.
 */
export function parseCommandArgs<const O extends OptionsConfig>(args: readonly string[], options: O, usage: string): ParsedCommandArgs<O> {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error), usage);
  }
}

/** The value of a required string option, or a `UsageError` naming it. */
export function requiredOption(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`, usage);
  return value;
}
