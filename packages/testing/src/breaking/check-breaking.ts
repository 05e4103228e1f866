import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { formatFinding, type ProtoFinding, parseFindings, protoRootDirectory, runCommand as run, runBuf } from '../buf/buf-cli.js';

/** One incompatible change between two versions of a proto set, as buf reports it. */
export type BreakingChange = ProtoFinding;

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
  const input = protoRootDirectory(options.input);
  const against = await againstInput(input, options.against);
  const config = JSON.stringify({ version: 'v2', breaking: { use: rules } });
  const { code, stdout, stderr } = await runBuf(
    ['breaking', '.', '--against', against.path, '--error-format', 'json', '--config', config, '--against-config', config],
    input,
  ).finally(against.cleanup);
  if (code === 0) return [];
  // buf exits 100 when it found breaking changes; anything else is a failure to compare at all.
  if (code !== 100) throw new Error(`buf could not compare the protos: ${(stderr || stdout).trim()}`);
  return parseFindings(stdout, 'compare the protos');
}

/** A change as one line for a terminal or CI log: `file:line:column RULE message`. */
export function formatBreakingChange(change: BreakingChange): string {
  return formatFinding(change);
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
