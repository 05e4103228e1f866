import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { captured } from './test-support/captured-output.js';

const workspace = mkdtempSync(join(tmpdir(), 'wirekit-cli-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function protoRoot(name: string, fields: string): string {
  const root = join(workspace, name);
  mkdirSync(join(root, 'a', 'v1'), { recursive: true });
  writeFileSync(join(root, 'a', 'v1', 'a.proto'), `syntax = "proto3";\npackage a.v1;\nmessage M {\n${fields}}\n`);
  return root;
}

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs the built CLI as a CI job would, in `cwd`: its exit status and what it printed. */
function runMain(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('wirekit breaking', () => {
  const v1 = protoRoot('v1', '  string id = 1;\n  string note = 2;\n');

  it('exits 1 and lists each breaking change', async () => {
    const output = captured();
    const status = await runCli(['breaking', '--input', protoRoot('v2-breaking', '  string id = 1;\n'), '--against', v1], output);
    expect(status).toBe(1);
    expect(output.out.join('\n')).toMatch(/a\/v1\/a\.proto:\d+:\d+ FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED/);
    expect(output.err).toEqual([`${output.out.length} breaking changes in ${join(workspace, 'v2-breaking')} against ${v1}`]);
  });

  it('exits 0 for a compatible change', async () => {
    const output = captured();
    const status = await runCli(
      [
        'breaking',
        '--input',
        protoRoot('v2-ok', '  string id = 1;\n  reserved 2;\n  reserved "note";\n  int32 count = 3;\n'),
        '--against',
        v1,
      ],
      output,
    );
    expect(status).toBe(0);
  });

  it('exits 2 with a message saying what to do when --against is missing or the command is unknown', async () => {
    const output = captured();
    expect(await runCli(['breaking'], output)).toBe(2);
    expect(output.err[0]).toMatch(/^--against is required/);
    expect(await runCli(['breakng'], output)).toBe(2);
    expect(output.err[1]).toMatch(/^unknown command "breakng"/);
    expect(await runCli(['breaking', '--help'], output)).toBe(0);
    expect(output.out.at(-1)).toMatch(/^Usage: wirekit breaking/);
  });

  it('runs as a real process with the exit status a CI gate needs', async () => {
    const { code } = await runMain(['breaking', '--input', join(workspace, 'v2-breaking'), '--against', v1], workspace);
    expect(code).toBe(1);
  });

  it('compares against a git reference, reading the default --input (proto) of the working directory', async () => {
    // A repository whose main branch holds v1 of proto/a/v1/a.proto; the working tree then changes it.
    const repo = join(workspace, 'repo');
    const proto = protoRoot(join('repo', 'proto'), '  string id = 1;\n  string note = 2;\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'v1');
    const file = join(proto, 'a', 'v1', 'a.proto');

    writeFileSync(file, 'syntax = "proto3";\npackage a.v1;\nmessage M {\n  string id = 1;\n}\n');
    const breaking = await runMain(['breaking', '--against', 'main'], repo);
    expect(breaking.code).toBe(1);
    expect(breaking.stdout).toMatch(/^a\/v1\/a\.proto:\d+:\d+ FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED .*"note"/m);
    const listed = breaking.stdout.trim().split('\n').length;
    expect(breaking.stderr.trim()).toBe(`${listed} breaking changes in proto against main`);

    writeFileSync(
      file,
      'syntax = "proto3";\npackage a.v1;\nmessage M {\n  string id = 1;\n  reserved 2;\n  reserved "note";\n  int32 count = 3;\n}\n',
    );
    const compatible = await runMain(['breaking', '--against', 'main'], repo);
    expect(compatible).toMatchObject({ code: 0, stdout: 'no breaking changes in proto against main\n' });

    // A commit after the change is compared like any other reference; HEAD~1 is v1 again.
    git('commit', '-q', '-am', 'v2');
    expect((await runMain(['breaking', '--against', 'HEAD~1'], repo)).code).toBe(0);
    expect((await runMain(['breaking', '--against', 'no-such-ref'], repo)).code).toBe(2);
  });
});
