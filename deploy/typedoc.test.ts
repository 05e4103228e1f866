import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the TypeDoc API reference', () => {
  // typedoc.json sets treatWarningsAsErrors: a broken {@link}, an unknown tag or an entry point that does not
  // resolve fails here. `--emit none` checks without writing docs/api (`npm run docs:api` writes it), and
  // skipErrorChecking leaves type errors to `tsc -b`, which runs first in `npm test`: about 10 s of CPU.
  it('builds from the public entry points without a warning', () => {
    const result = spawnSync(process.execPath, [join(repo, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\[warning\]|\[error\]/);
  }, 200_000);
});
