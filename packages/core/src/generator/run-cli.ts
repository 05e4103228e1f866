import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LongForm } from '../protos/long-values.js';
import { generateTypeScript } from './generate-types.js';

/** Where the command line tool writes its messages. */
export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The parsed arguments of `wirekit-generate`. */
export interface GenerateCliArgs {
  readonly help: boolean;
  readonly includeDirs: readonly string[];
  readonly out: string | undefined;
  readonly importFrom: string | undefined;
  readonly longs: LongForm | undefined;
  readonly files: readonly string[];
}

export const GENERATE_USAGE = `Usage: wirekit-generate [--proto_path DIR]... --out FILE <file.proto>...

Generates one TypeScript module with an interface per message, a type and a const per enum, and a
defineService(...) constant per service of the given files, which it embeds so no .proto file is needed at
run time. The file is written only when its content changes.

Options:
  -I, --proto_path DIR   Directory imports are resolved against; repeatable. A given file is found as a
                         path or under one of these directories.
  --out FILE             The TypeScript file to write.
  --import-from MODULE   Module the generated code imports from (default: @wirekit/core).
  --longs bigint|string  How 64-bit integer fields are typed and decoded (default: bigint); string gives
                         decimal digits, for code that hands them to JSON.
  -h, --help             Show this help.
`;

const DEFAULT_OUTPUT: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs `wirekit-generate` with the given arguments (without `node` and the script) and returns the exit
 * code: 0 when the file was written or already up to date, 1 on bad arguments or input.
 *
 * @example
 * process.exitCode = runCli(['-I', 'proto', '--out', 'src/gen/payments.ts', 'payments/v1/payments.proto']);
 */
export function runCli(argv: readonly string[], output: CliOutput = DEFAULT_OUTPUT): number {
  let args: GenerateCliArgs;
  try {
    args = parseGenerateArgs(argv);
  } catch (error: unknown) {
    output.stderr(`wirekit-generate: ${errorMessage(error)}\nRun wirekit-generate --help for usage.\n`);
    return 1;
  }
  if (args.help) {
    output.stdout(GENERATE_USAGE);
    return 0;
  }
  const out = args.out;
  if (out === undefined || args.files.length === 0) {
    const missing = out === undefined ? 'missing --out FILE' : 'no .proto files given';
    output.stderr(`wirekit-generate: ${missing}\nRun wirekit-generate --help for usage.\n`);
    return 1;
  }
  try {
    const source = generateTypeScript({
      files: args.files,
      includeDirs: args.includeDirs,
      ...(args.importFrom === undefined ? {} : { importFrom: args.importFrom }),
      ...(args.longs === undefined ? {} : { longs: args.longs }),
    });
    if (readIfExists(out) === source) {
      output.stdout(`${out} is up to date\n`);
    } else {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, source);
      output.stdout(`wrote ${out}\n`);
    }
    return 0;
  } catch (error: unknown) {
    output.stderr(`wirekit-generate: ${errorMessage(error)}\n`);
    return 1;
  }
}

/** Parses `wirekit-generate`'s arguments (protoc's `-I`/`--proto_path` forms included); throws on bad ones. */
export function parseGenerateArgs(argv: readonly string[]): GenerateCliArgs {
  let help = false;
  let out: string | undefined;
  let importFrom: string | undefined;
  let longs: LongForm | undefined;
  const includeDirs: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = splitFlag(arg);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next === '') throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '-I':
      case '--proto_path':
        includeDirs.push(value());
        break;
      case '--out':
        out = value();
        break;
      case '--import-from':
        importFrom = value();
        break;
      case '--longs': {
        const form = value();
        if (form !== 'bigint' && form !== 'string') throw new Error(`--longs must be bigint or string, not ${form}`);
        longs = form;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
        files.push(arg);
    }
  }
  return { help, includeDirs, out, importFrom, longs, files };
}

/** `--out=x` → [`--out`, `x`]; `-Idir` → [`-I`, `dir`], as protoc accepts both. */
function splitFlag(arg: string): [string, string | undefined] {
  if (arg.startsWith('--') && arg.includes('=')) {
    const at = arg.indexOf('=');
    return [arg.slice(0, at), arg.slice(at + 1)];
  }
  if (arg.startsWith('-I') && arg.length > 2) return ['-I', arg.slice(2)];
  return [arg, undefined];
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
