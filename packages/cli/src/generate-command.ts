import { existsSync, readdirSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type CliOutput, type GenerateCliArgs, parseGenerateArgs, runGenerateCli } from '@wirekit/core/generator';
import type { CommandOutput } from './command-output.js';

export const GENERATE_HELP = `Usage: wirekit generate [-I <proto root>]... [--out <file.ts>] [--watch] [<file.proto>...]

Generates one TypeScript module from your protos: an interface per message, a type and a const per enum,
and a service definition per service, with the protos embedded (no .proto file is needed at run time).
The file is written only when its content changes.

Defaults, for a project made by wirekit new: -I proto, every .proto file under it, --out src/gen/protos.ts.

Options:
  -I, --proto_path DIR   Directory imports are resolved against; repeatable.
  --out FILE             The TypeScript file to write.
  --import-from MODULE   Module the generated code imports from (default: @wirekit/core).
  --longs bigint|string  How 64-bit integer fields are typed (default: bigint).
  -w, --watch            Keep running and regenerate whenever a .proto file under the proto roots changes.
  -h, --help             Show this help.

Exit status: 0 written or up to date, 1 the protos did not compile, 2 bad arguments.`;

export const DEFAULT_PROTO_ROOT = 'proto';
export const DEFAULT_GENERATED_FILE = join('src', 'gen', 'protos.ts');
const WATCH_SETTLE_MS = 100;

/** What a test (or an embedding tool) can pass to a watching `wirekit generate`. */
export interface GenerateWatchControl {
  /** Stops watching; the command then returns 0. */
  readonly signal?: AbortSignal;
  /** Called after every generation with its exit status (0 written or up to date, 1 failed). */
  readonly onGenerated?: (status: number) => void;
}

/** `wirekit generate`: TypeScript from protos, once or on every change. Returns the exit status. */
export async function generateCommand(args: readonly string[], output: CommandOutput, control: GenerateWatchControl = {}): Promise<number> {
  const watching = args.includes('--watch') || args.includes('-w');
  const generatorArgs = args.filter((arg) => arg !== '--watch' && arg !== '-w');
  let parsed: GenerateCliArgs;
  try {
    parsed = parseGenerateArgs(generatorArgs);
  } catch (error: unknown) {
    output.error(`${(error as Error).message}\n\n${GENERATE_HELP}`);
    return 2;
  }
  if (parsed.help) {
    output.print(GENERATE_HELP);
    return 0;
  }
  const roots = parsed.includeDirs.length > 0 ? parsed.includeDirs : [DEFAULT_PROTO_ROOT];
  const missing = roots.find((root) => !existsSync(root) || !statSync(root).isDirectory());
  if (missing !== undefined) {
    output.error(`the proto root "${missing}" is not a directory: pass -I with the folder your imports are relative to`);
    return 2;
  }
  const generate = (): number => {
    const files = parsed.files.length > 0 ? parsed.files : protoFilesUnder(roots[0] ?? DEFAULT_PROTO_ROOT);
    if (files.length === 0) {
      output.error(`no .proto files under ${roots[0]}: add one, or name the files to generate`);
      return 1;
    }
    const full = [
      ...roots.flatMap((root) => ['-I', root]),
      '--out',
      parsed.out ?? DEFAULT_GENERATED_FILE,
      ...(parsed.importFrom === undefined ? [] : ['--import-from', parsed.importFrom]),
      ...(parsed.longs === undefined ? [] : ['--longs', parsed.longs]),
      ...files,
    ];
    const status = runGenerateCli(full, linesTo(output));
    control.onGenerated?.(status);
    return status;
  };
  const status = generate();
  if (!watching) return status;
  return watchAndRegenerate(roots, generate, output, control.signal);
}

/** Every .proto file under `root`, as paths relative to it (how the generator resolves them), sorted. */
export function protoFilesUnder(root: string): string[] {
  const files: string[] = [];
  const visit = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(path);
      else if (entry.isFile() && entry.name.endsWith('.proto')) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  visit(root);
  return files.sort();
}

/** Regenerates after each burst of .proto changes until `signal` aborts (or forever, until Ctrl-C). */
function watchAndRegenerate(
  roots: readonly string[],
  generate: () => number,
  output: CommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  output.error(`watching ${roots.join(', ')} for .proto changes (Ctrl-C to stop)`);
  return new Promise((resolve) => {
    let pending: NodeJS.Timeout | undefined;
    const onChange = (_event: string, filename: string | Buffer | null): void => {
      // An editor's save is often several events (write, rename, chmod); one generation per burst.
      if (filename !== null && !String(filename).endsWith('.proto')) return;
      clearTimeout(pending);
      pending = setTimeout(() => {
        output.error(`${new Date().toLocaleTimeString()} a .proto file changed, generating`);
        generate();
      }, WATCH_SETTLE_MS);
    };
    const watchers = roots.map((root) => watch(root, { recursive: true }, onChange));
    const stop = (): void => {
      clearTimeout(pending);
      for (const watcher of watchers) watcher.close();
      resolve(0);
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/** The generator writes text with trailing newlines; a command prints lines. */
function linesTo(output: CommandOutput): CliOutput {
  return {
    stdout: (text) => output.print(text.replace(/\n$/, '')),
    stderr: (text) => output.error(text.replace(/\n$/, '').replace(/^wirekit-generate: /, '')),
  };
}
