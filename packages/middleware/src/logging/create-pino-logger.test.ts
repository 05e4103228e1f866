import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createPinoLogger } from './create-pino-logger.js';

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** What a separate Node process printed on stdout after logging one line with the built package. */
async function stdoutOf(options: string): Promise<string> {
  const program = `import { createPinoLogger } from '@wirekit/middleware/logging'; createPinoLogger(${options}).info({ answer: 42 }, 'hello');`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: repositoryRoot });
  return stdout;
}

describe('createPinoLogger', () => {
  it('writes JSON lines to a given destination', () => {
    const lines: string[] = [];
    const logger = createPinoLogger({ level: 'debug', base: null }, { write: (line) => lines.push(line) });
    logger.debug({ answer: 42 }, 'hello');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 20, answer: 42, msg: 'hello' });
  });

  // pino-pretty is installed in this repository (the payments example uses it), but stdout here is a pipe.
  it('writes JSON to stdout when stdout is not a terminal', async () => {
    expect(JSON.parse(await stdoutOf('{}'))).toMatchObject({ level: 30, answer: 42, msg: 'hello' });
    expect(JSON.parse(await stdoutOf('{ pretty: false, name: "svc" }'))).toMatchObject({ name: 'svc', msg: 'hello' });
  });

  it('prints readable lines through pino-pretty when asked to and it is installed', async () => {
    const printed = await stdoutOf('{ pretty: true, name: "svc" }');
    expect(() => JSON.parse(printed)).toThrow();
    expect(printed).toMatch(/INFO.*\(svc\/\d+\).*hello/);
    expect(printed).toContain('answer: 42');
  });
});
