import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CommandOutput } from './command-output.js';
import { generateCommand } from './generate-command.js';
import { type DependencyVersions, projectFiles, projectNames } from './new-project-files.js';

export const NEW_HELP = `Usage: wirekit new <name> [--dir <parent directory>]

Creates a service in <parent>/<name> (default: the current directory): a .proto with a unary and a
server-streaming rpc, a decorated class implementing it, a test through the in-memory channel, main.ts
serving it with health and reflection, package.json, tsconfig.json and a vitest config. It generates the
types at once, so the project builds and passes its tests immediately.

Inside a checkout of Wirekit (or any npm workspace that has @wirekit/core installed) the project uses the
installed packages: cd into it and run npm test. Elsewhere it is a standalone project: npm install first.

Exit status: 0 created, 1 the project could not be created, 2 bad arguments.`;

/** `wirekit new`: scaffolds a service project. Returns the exit status. */
export async function newCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  let parsed: { values: { dir?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error: unknown) {
    output.error(`${(error as Error).message}\n\n${NEW_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    output.print(NEW_HELP);
    return 0;
  }
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || extra.length > 0) {
    output.error(
      `${name === undefined ? 'name the service to create' : `one name only, not ${parsed.positionals.join(' ')}`}\n\n${NEW_HELP}`,
    );
    return 2;
  }
  let names: ReturnType<typeof projectNames>;
  try {
    names = projectNames(name);
  } catch (error: unknown) {
    output.error((error as Error).message);
    return 2;
  }
  const directory = resolve(parsed.values.dir ?? '.', name);
  if (existsSync(directory) && readdirSync(directory).length > 0) {
    output.error(`${directory} already exists and is not empty: choose another name or --dir, nothing was written`);
    return 1;
  }
  for (const [path, content] of projectFiles(names, dependencyVersions())) {
    const target = join(directory, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    output.print(`created ${relative(process.cwd(), target) || target}`);
  }
  const generated = await generateCommand(['-I', join(directory, 'proto'), '--out', join(directory, 'src', 'gen', 'protos.ts')], output);
  if (generated !== 0) return 1;
  const shown = relative(process.cwd(), directory) || '.';
  const workspaceRoot = enclosingInstall(directory);
  output.print(
    workspaceRoot === undefined
      ? `\n${names.service} is ready: cd ${shown} && npm install && npm test`
      : `\n${names.service} is ready, using the Wirekit packages installed in ${workspaceRoot}: cd ${shown} && npm test`,
  );
  return 0;
}

/** The nearest directory above `directory` whose node_modules holds @wirekit/core, if any. */
function enclosingInstall(directory: string): string | undefined {
  for (let current = dirname(directory); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules', '@wirekit', 'core', 'package.json'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** The versions this CLI was built and tested with, read from the installed packages. */
function dependencyVersions(): DependencyVersions {
  const require = createRequire(import.meta.url);
  const versionOf = (manifest: string, fallback: string): string => {
    try {
      return `^${(JSON.parse(readFileSync(require.resolve(manifest), 'utf8')) as { version: string }).version}`;
    } catch {
      return fallback;
    }
  };
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    wirekit: `^${own.version}`,
    typescript: versionOf('typescript/package.json', '~5.9.3').replace('^', '~'),
    vitest: versionOf('vitest/package.json', '~4.1.0').replace('^', '~'),
    typesNode: '^20.11.0',
  };
}
