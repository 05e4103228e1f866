import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

/** One finding of the buf CLI (a lint problem or a breaking change), located in a proto file. */
export interface ProtoFinding {
  /** The file, relative to the proto root. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** buf's rule id, e.g. `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED` or `ENUM_ZERO_VALUE_SUFFIX`. */
  readonly rule: string;
  readonly message: string;
}

/** The outcome of one buf run. */
export interface BufRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A finding as one line for a terminal or CI log: `file:line:column RULE message`. */
export function formatFinding(finding: ProtoFinding): string {
  return `${finding.file}:${finding.line}:${finding.column} ${finding.rule} ${finding.message}`;
}

/** The absolute path of a proto root given by the user, checked to be a directory. */
export function protoRootDirectory(input: string): string {
  const root = resolve(input);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`the proto root "${input}" is not a directory; pass the folder your imports are relative to`);
  }
  return root;
}

/** Runs the buf CLI that `@bufbuild/buf` ships (no download, no network) in `cwd`. */
export function runBuf(args: readonly string[], cwd: string): Promise<BufRun> {
  return runCommand(process.execPath, [createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf'), ...args], cwd);
}

/** Runs a command to completion; a non-zero exit is a result, only a command that cannot start rejects. */
export function runCommand(command: string, args: readonly string[], cwd: string): Promise<BufRun> {
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

/**
 * The findings of a buf run made with `--error-format json`. buf reports protos that do not compile in the same
 * format, as findings of type COMPILE: those mean the check could not run at all, so they throw.
 */
export function parseFindings(stdout: string, what: string): ProtoFinding[] {
  const findings = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const finding = JSON.parse(line) as { path: string; start_line: number; start_column: number; type: string; message: string };
      return { file: finding.path, line: finding.start_line, column: finding.start_column, rule: finding.type, message: finding.message };
    });
  const compileErrors = findings.filter((finding) => finding.rule === 'COMPILE');
  if (compileErrors.length > 0) {
    throw new Error(`buf could not ${what}, they do not compile:\n${compileErrors.map(formatFinding).join('\n')}`);
  }
  return findings;
}
