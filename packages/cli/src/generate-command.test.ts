import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCommand, protoFilesUnder } from './generate-command.js';
import { runCli } from './run-cli.js';
import { captured } from './test-support/captured-output.js';

const workspace = mkdtempSync(join(tmpdir(), 'wirekit-generate-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function project(name: string, messageField: string): string {
  const root = join(workspace, name);
  mkdirSync(join(root, 'proto', 'shop', 'v1'), { recursive: true });
  writeFileSync(
    join(root, 'proto', 'shop', 'v1', 'types.proto'),
    `syntax = "proto3";\npackage shop.v1;\nmessage Money { int64 cents = 1; }\n`,
  );
  writeOrder(root, messageField);
  return root;
}

function writeOrder(root: string, messageField: string): void {
  writeFileSync(
    join(root, 'proto', 'shop', 'v1', 'shop.proto'),
    `syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/types.proto";\nservice OrderService { rpc Place(Order) returns (Order); }\nmessage Order {\n  Money total = 1;\n${messageField}}\n`,
  );
}

describe('wirekit generate', () => {
  it('generates from every proto under proto/ into src/gen/protos.ts by default', async () => {
    const root = project('defaults', '');
    expect(protoFilesUnder(join(root, 'proto'))).toEqual(['shop/v1/shop.proto', 'shop/v1/types.proto']);
    const output = captured();
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(await runCli(['generate'], output)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const generated = readFileSync(join(root, 'src', 'gen', 'protos.ts'), 'utf8');
    expect(generated).toMatch(/export interface Order \{/);
    expect(generated).toMatch(/export interface Money \{/);
    expect(generated).toMatch(/OrderService = defineService/);
    expect(output.out).toEqual([`wrote ${join('src', 'gen', 'protos.ts')}`]);
  });

  it('exits 1 naming the error when a proto does not compile, and 2 for a missing proto root', async () => {
    const root = project('broken', '  strin note = 2;\n');
    const broken = captured();
    expect(await runCli(['generate', '-I', join(root, 'proto'), '--out', join(root, 'gen.ts')], broken)).toBe(1);
    expect(broken.err.join('\n')).toMatch(/strin/);
    const missing = captured();
    expect(await runCli(['generate', '-I', join(root, 'nowhere')], missing)).toBe(2);
    expect(missing.err[0]).toMatch(/is not a directory/);
  });

  it('regenerates on every change with --watch, keeps watching after a broken save, and stops when told', async () => {
    const root = project('watched', '');
    const out = join(root, 'gen.ts');
    const statuses: number[] = [];
    let onChange = (): void => {};
    // Resolves once a generation after this call ends with `status` (an editor's save may trigger more than one).
    const nextGeneration = (status: number): Promise<void> => {
      const seen = statuses.length;
      return new Promise((resolve) => {
        onChange = () => {
          if (statuses.slice(seen).includes(status)) resolve();
        };
        onChange();
      });
    };
    const stop = new AbortController();
    const first = nextGeneration(0);
    const watching = generateCommand(['-I', join(root, 'proto'), '--out', out, '--watch'], captured(), {
      signal: stop.signal,
      onGenerated: (status) => {
        statuses.push(status);
        onChange();
      },
    });
    await first;
    expect(readFileSync(out, 'utf8')).not.toMatch(/note/);

    const failed = nextGeneration(1);
    writeOrder(root, '  strin note = 2;\n');
    await failed;
    const fixed = nextGeneration(0);
    writeOrder(root, '  string note = 2;\n');
    await fixed;
    expect(readFileSync(out, 'utf8')).toMatch(/note: string/);

    stop.abort();
    expect(await watching).toBe(0);
  });
});
