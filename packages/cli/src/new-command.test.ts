import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { captured } from './test-support/captured-output.js';

// Inside the repository (git-ignored), so the project finds the workspace's installed packages, as a new user's
// service made in a checkout does.
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = join(repositoryRoot, '.scratch', `new-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function npm(args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('npm', [...args], { cwd, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('wirekit new', () => {
  it('makes a service that passes its own tests and lint at once, and builds', async () => {
    const output = captured();
    expect(await runCli(['new', 'order-history', '--dir', scratch], output)).toBe(0);
    const project = join(scratch, 'order-history');
    expect(output.out.at(-1)).toMatch(
      /OrderHistoryService is ready, using the Wirekit packages installed in .*: cd .*order-history && npm test/,
    );
    expect(readFileSync(join(project, 'proto', 'order_history', 'v1', 'order_history.proto'), 'utf8')).toMatch(
      /service OrderHistoryService \{/,
    );
    expect(readFileSync(join(project, 'src', 'gen', 'protos.ts'), 'utf8')).toMatch(/OrderHistoryService = defineService/);

    expect(await runCli(['lint', '--input', join(project, 'proto')], captured())).toBe(0);
    const tested = await npm(['test'], project);
    expect(tested.output).toMatch(/Tests\s+.*3 passed/);
    expect(tested.code).toBe(0);
    const built = await npm(['run', 'build'], project);
    expect(built.code).toBe(0);
    expect(readFileSync(join(project, 'dist', 'main.js'), 'utf8')).toMatch(/app\.listen/);

    // npm start serves it (health and reflection on), and SIGTERM to npm drains it: the script execs node.
    const server = spawn('npm', ['start'], { cwd: project, env: { ...process.env, ADDRESS: '127.0.0.1:0' }, detached: true });
    const exited = once(server, 'exit');
    try {
      const address = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout }).on('line', (line) => {
          const serving = /^serving on (\S+)$/.exec(line);
          if (serving) resolve(serving[1] as string);
        });
        server.once('exit', (code) => reject(new Error(`npm start exited with ${code} before serving`)));
      });
      const listed = captured();
      expect(await runCli(['call', '--plaintext', address, 'list'], listed)).toBe(0);
      expect(listed.out.join('\n')).toMatch(/^order_history\.v1\.OrderHistoryService$/m);
      server.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      // The whole group, so that a failure above leaves no server behind npm.
      if (server.exitCode === null && server.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
    }
  }, 180_000);

  it('refuses bad names and non-empty directories, writing nothing', async () => {
    const badName = captured();
    expect(await runCli(['new', 'Order_History', '--dir', scratch], badName)).toBe(2);
    expect(badName.err[0]).toMatch(/cannot name a service: use lower-case letters/);
    const occupied = join(scratch, 'taken');
    mkdirSync(occupied, { recursive: true });
    writeFileSync(join(occupied, 'notes.txt'), 'mine');
    const existing = captured();
    expect(await runCli(['new', 'taken', '--dir', scratch], existing)).toBe(1);
    expect(existing.err[0]).toMatch(/already exists and is not empty/);
    expect(readFileSync(join(occupied, 'notes.txt'), 'utf8')).toBe('mine');
    const noName = captured();
    expect(await runCli(['new'], noName)).toBe(2);
    expect(noName.err[0]).toMatch(/^name the service to create/);
  });
});
