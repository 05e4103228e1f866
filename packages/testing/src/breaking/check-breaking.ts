import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** One incompatible change between two versions of a proto set, as buf reports it. */
export interface BreakingChange {
  /** The file, relative to the proto root. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** buf's rule id, e.g. `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED`. */
  readonly rule: string;
  readonly message: string;
}

/** What to compare. */
export interface CheckBreakingOptions {
  /** The proto root of the current version (imports are relative to it). */
  readonly input: string;
  /**
   * The earlier version: a directory holding the same proto root, or a git reference (`main`, `v1.2.0`,
   * `HEAD~1`) of the repository that contains `input`, read at the same path.
   */
  readonly against: string;
  /** buf breaking rules or categories. Default: wire and JSON compatibility, plus no deleted rpcs or services. */
  readonly rules?: readonly string[];
}

/**
 * The rules Wirekit checks by default: buf's WIRE_JSON category (what breaks binary and JSON clients: changed
 * numbers and types, deleted fields and enum values not reserved, renamed enum values, changed streaming) plus
 * RPC_NO_DELETE and SERVICE_NO_DELETE, which WIRE_JSON leaves out but which break every caller.
 */
export const DEFAULT_BREAKING_RULES: readonly string[] = ['WIRE_JSON', 'RPC_NO_DELETE', 'SERVICE_NO_DELETE'];

/**
 * Lists the breaking changes of `input` against an earlier version, using the buf CLI that `@bufbuild/buf`
 * ships (buf's rules are the reference for breaking-change detection). An empty list means compatible.
 *
 * @example
 * const changes = await checkBreaking({ input: 'proto', against: 'main' });
 * for (const change of changes) console.log(`${change.file}:${change.line} ${change.rule} ${change.message}`);
 */
export async function checkBreaking(options: CheckBreakingOptions): Promise<BreakingChange[]> {
  const { rules = DEFAULT_BREAKING_RULES } = options;
  const input = resolve(options.input);
  if (!existsSync(input) || !statSync(input).isDirectory()) {
    throw new Error(`the proto root "${options.input}" is not a directory; pass the folder your imports are relative to`);
  }
  const against = await againstInput(input, options.against);
  const config = JSON.stringify({ version: 'v2', breaking: { use: rules } });
  const { code, stdout, stderr } = await run(
    process.execPath,
    [bufPath(), 'breaking', '.', '--against', against.path, '--error-format', 'json', '--config', config, '--against-config', config],
    input,
  ).finally(against.cleanup);
  if (code === 0) return [];
  // buf exits 100 when it found breaking changes; anything else is a failure to compare at all.
  if (code !== 100) throw new Error(`buf could not compare the protos: ${(stderr || stdout).trim()}`);
  const findings = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const finding = JSON.parse(line) as { path: string; start_line: number; start_column: number; type: string; message: string };
      return { file: finding.path, line: finding.start_line, column: finding.start_column, rule: finding.type, message: finding.message };
    });
  // buf reports protos that do not compile in the same format, as findings of type COMPILE.
  const compileErrors = findings.filter((finding) => finding.rule === 'COMPILE');
  if (compileErrors.length > 0) {
    throw new Error(`buf could not compare the protos, they do not compile:\n${compileErrors.map(formatBreakingChange).join('\n')}`);
  }
  return findings;
}

/** A change as one line for a terminal or CI log: `file:line:column RULE message`. */
export function formatBreakingChange(change: BreakingChange): string {
  return `${change.file}:${change.line}:${change.column} ${change.rule} ${change.message}`;
}

async function againstInput(input: string, against: string): Promise<{ path: string; cleanup: () => void }> {
  const asDirectory = resolve(against);
  if (existsSync(asDirectory) && statSync(asDirectory).isDirectory()) return { path: asDirectory, cleanup: () => {} };
  const top = await run('git', ['rev-parse', '--show-toplevel'], input);
  if (top.code !== 0) {
    throw new Error(`"${against}" is neither a directory nor a git reference: ${input} is not inside a git repository`);
  }
  const root = top.stdout.trim();
  const known = await run('git', ['rev-parse', '--verify', '--quiet', `${against}^{commit}`], input);
  if (known.code !== 0) throw new Error(`"${against}" is neither a directory nor a git reference known to the repository at ${root}`);
  // The earlier version is read into a scratch directory, so both sides are plain proto roots for buf.
  const subdir = relative(root, input);
  const scratch = mkdtempSync(join(tmpdir(), 'wirekit-against-'));
  const archive = await run('sh', ['-c', `git archive --format=tar "$0" -- "$1" | tar -x -C "$2"`, against, subdir || '.', scratch], root);
  if (archive.code !== 0) throw new Error(`cannot read ${subdir || 'the repository'} at ${against}: ${archive.stderr.trim()}`);
  return { path: join(scratch, subdir), cleanup: () => rmSync(scratch, { recursive: true, force: true }) };
}

function bufPath(): string {
  return createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error }));
        return;
      }
      resolveRun({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}
