import { type ProtoFinding, parseFindings, protoRootDirectory, runBuf } from '../buf/buf-cli.js';

/** One problem `checkLint` found, as buf reports it. */
export type LintFinding = ProtoFinding;

/** What to lint, and by which rules. */
export interface CheckLintOptions {
  /** The proto root (imports are relative to it). */
  readonly input: string;
  /** buf lint rules or categories. Default: `DEFAULT_LINT_RULES`. */
  readonly rules?: readonly string[];
  /** Rules or categories to leave out. Default: `DEFAULT_LINT_EXCEPTIONS` when `rules` is not given, else none. */
  readonly except?: readonly string[];
}

/** buf's STANDARD category: file layout by package, naming, enum zero values, comments-free style rules. */
export const DEFAULT_LINT_RULES: readonly string[] = ['STANDARD'];

/**
 * The STANDARD rules Wirekit leaves out by default. They require a distinct `<Rpc>Request`/`<Rpc>Response`
 * message per rpc, which contradicts resource-oriented design (Google AIP-131/133: `GetPayment` returns the
 * `Payment` itself) and the payments example's contract. Pass `rules` to lint with all of STANDARD.
 */
export const DEFAULT_LINT_EXCEPTIONS: readonly string[] = [
  'RPC_REQUEST_STANDARD_NAME',
  'RPC_RESPONSE_STANDARD_NAME',
  'RPC_REQUEST_RESPONSE_UNIQUE',
];

/**
 * Lints the protos under `input` with buf's lint rules (the reference for proto style). An empty list means
 * clean. Protos that do not compile throw, naming each error.
 *
 * @example
 * const findings = await checkLint({ input: 'proto' });
 * for (const finding of findings) console.log(formatFinding(finding));
 */
export async function checkLint(options: CheckLintOptions): Promise<LintFinding[]> {
  const input = protoRootDirectory(options.input);
  const use = options.rules ?? DEFAULT_LINT_RULES;
  const except = options.except ?? (options.rules === undefined ? DEFAULT_LINT_EXCEPTIONS : []);
  const config = JSON.stringify({ version: 'v2', lint: { use, except } });
  const { code, stdout, stderr } = await runBuf(['lint', '.', '--error-format', 'json', '--config', config], input);
  if (code === 0) return [];
  // buf exits 100 when it found problems; anything else is a failure to lint at all (e.g. an unknown rule).
  if (code !== 100) throw new Error(`buf could not lint the protos: ${(stderr || stdout).trim()}`);
  return parseFindings(stdout, 'lint the protos');
}
