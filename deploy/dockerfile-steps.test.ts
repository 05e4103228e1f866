import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('deploy/docker/Dockerfile, its steps run without Docker', () => {
  // A scratch copy of the build context (the repository less .dockerignore), npm ci, tsc -b, npm prune, the
  // runtime stage's COPY --from steps, then the image's CMD: health must answer SERVING and SIGTERM must end the
  // process with 0. npm ci compiles better-sqlite3 from source here, so this takes minutes.
  it('builds the service, serves SERVING health from its CMD, and stops on SIGTERM', () => {
    const result = spawnSync(process.execPath, [join(here, 'docker/run-dockerfile-steps.mjs')], {
      encoding: 'utf8',
      timeout: 1_500_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(result.stdout).toContain('health check: SERVING');
    expect(result.stdout).toContain('after SIGTERM the server exited with 0');
    // As root (CI), the CMD runs as the image's USER, so the runtime tree must be usable by uid 1000.
    if (process.getuid?.() === 0) expect(result.stdout).toContain('as USER 1000:1000');
  }, 1_560_000);
});
