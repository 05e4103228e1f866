import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IParseOptions, NamespaceBase, ReflectionObject, Root } from 'protobufjs';
import protobuf from 'protobufjs';
import { bundledProto } from './bundled-protos.js';

/** One .proto file of a parsed set, with what a FileDescriptorProto needs to know about it. */
export interface ProtoFile {
  /** The name imports use: relative to its include directory, with forward slashes (`payments/v1/payments.proto`). */
  readonly name: string;
  /** The package it declares, `''` for none. */
  readonly package: string;
  readonly syntax: 'proto2' | 'proto3';
  /** The files it imports, by name, in the order written (weak imports excluded). */
  readonly dependencies: readonly string[];
  /** The weak imports that were found (protoc, too, lets a missing weak import pass). */
  readonly weakDependencies: readonly string[];
}

/** .proto files parsed into one protobufjs Root. */
export interface ParsedProtos {
  /**
   * Every definition, fully resolved. Field names are kept as written (`amount_cents`); each top-level
   * definition's `filename` is the name of the file that declares it; comments are kept for code generation.
   */
  readonly root: Root;
  /** Every file, imports first, so a file comes after all the files it depends on. */
  readonly files: readonly ProtoFile[];
  /** The names of the files asked for, in the order given (imported files not included). */
  readonly entryFiles: readonly string[];
}

// keepCase: the descriptor set must carry field names as written; the codecs derive the camelCase names.
// alternateCommentMode: `//` comments become doc comments too, as protoc treats them.
const PARSE_OPTIONS: IParseOptions = Object.freeze({ keepCase: true, alternateCommentMode: true });

interface Located {
  readonly name: string;
  /** Where the file is on disk; `undefined` for a bundled google/protobuf file. */
  readonly file: string | undefined;
}

/**
 * Parses .proto files and everything they import into a fresh protobufjs Root.
 *
 * A file is found as given (relative to the working directory) or under an include directory; its name is
 * its path relative to the include directory that holds it, or its base name when none does (its directory
 * then also serves to resolve its imports). Imports resolve against the include directories, except
 * google/protobuf/{any,duration,empty,field_mask,struct,timestamp,wrappers,descriptor}.proto, which are bundled.
 * Nothing global is changed: the files are read here and handed to protobufjs's parser with an explicit Root.
 *
 * @throws Error naming the file (and line, for syntax errors) when a file is missing or invalid.
 */
export function parseProtoFiles(files: readonly string[], includeDirs: readonly string[] = []): ParsedProtos {
  const root = new protobuf.Root();
  const dirs = includeDirs.map((dir) => path.resolve(dir));
  const implicitDirs: string[] = [];
  const parsed: ProtoFile[] = [];
  const done = new Set<string>();
  const inProgress: string[] = [];

  const locateEntry = (file: string): Located => {
    const bundledName = file.replaceAll('\\', '/');
    if (bundledProto(bundledName) !== undefined) return { name: bundledName, file: undefined };
    const direct = path.resolve(file);
    if (isFile(direct)) {
      for (const dir of dirs) {
        const relative = path.relative(dir, direct);
        if (!relative.startsWith('..') && !path.isAbsolute(relative)) return { name: toPosix(relative), file: direct };
      }
      // Outside every include directory: treat its directory as one, as protoc does for `protoc x.proto`.
      if (!implicitDirs.includes(path.dirname(direct))) implicitDirs.push(path.dirname(direct));
      return { name: path.basename(direct), file: direct };
    }
    for (const dir of dirs) {
      const candidate = path.resolve(dir, file);
      if (isFile(candidate)) return { name: toPosix(path.relative(dir, candidate)), file: candidate };
    }
    throw new Error(`cannot find ${file} (looked in the working directory${describeDirs(dirs, ' and in ')})`);
  };

  const locateImport = (name: string): Located | undefined => {
    if (bundledProto(name) !== undefined) return { name, file: undefined };
    for (const dir of [...dirs, ...implicitDirs]) {
      const candidate = path.resolve(dir, name);
      if (isFile(candidate)) return { name, file: candidate };
    }
    return undefined;
  };

  const load = (located: Located): void => {
    const { name, file } = located;
    if (done.has(name)) return;
    if (inProgress.includes(name)) throw new Error(`import cycle: ${[...inProgress, name].join(' → ')}`);
    inProgress.push(name);
    const bundled = file === undefined ? bundledProto(name) : undefined;
    let packageName = 'google.protobuf';
    let syntax: ProtoFile['syntax'];
    let imports: string[] = [];
    let weakImports: string[] = [];
    if (bundled !== undefined) {
      try {
        root.addJSON(bundled.json.nested ?? {});
      } catch (error: unknown) {
        throw new Error(`${name} (bundled): ${errorMessage(error)}`, { cause: error });
      }
      syntax = bundled.syntax;
    } else {
      const where = displayPath(file ?? name);
      const source = readSource(file ?? name, where);
      syntax = declaredSyntax(source, where);
      try {
        const result = protobuf.parse(source, root, PARSE_OPTIONS);
        packageName = result.package ?? '';
        imports = result.imports ?? [];
        weakImports = result.weakImports ?? [];
      } catch (error: unknown) {
        throw new Error(`${where}: ${errorMessage(error)}`, { cause: error });
      }
    }
    // Tag before loading the imports: the definitions without a file name now are exactly this file's.
    tagFileName(root, name);
    for (const imported of imports) {
      const found = locateImport(imported);
      if (found === undefined) {
        throw new Error(
          `${displayPath(file ?? name)}: import "${imported}" was not found${describeDirs([...dirs, ...implicitDirs], ' in ')}; add the directory that holds it as an include directory (--proto_path)`,
        );
      }
      load(found);
    }
    const foundWeak: string[] = [];
    for (const imported of weakImports) {
      const found = locateImport(imported);
      if (found === undefined) continue;
      load(found);
      foundWeak.push(imported);
    }
    inProgress.pop();
    done.add(name);
    parsed.push({ name, package: packageName, syntax, dependencies: imports, weakDependencies: foundWeak });
  };

  const entryFiles: string[] = [];
  for (const file of files) {
    const located = locateEntry(file);
    load(located);
    if (!entryFiles.includes(located.name)) entryFiles.push(located.name);
  }
  try {
    root.resolveAll();
  } catch (error: unknown) {
    throw new Error(`cannot resolve the types of ${entryFiles.join(', ')}: ${errorMessage(error)}`, { cause: error });
  }
  return { root, files: parsed, entryFiles };
}

/**
 * The top-level definitions (messages, enums, services, extensions) of each file of a Root whose definitions
 * carry their file name, in declaration order.
 */
export function definitionsByFile(root: NamespaceBase): Map<string, ReflectionObject[]> {
  const byFile = new Map<string, ReflectionObject[]>();
  const collect = (namespace: NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type) && !(nested instanceof protobuf.Service)) {
        collect(nested); // a package
      } else if (nested.filename !== null) {
        const list = byFile.get(nested.filename);
        if (list === undefined) byFile.set(nested.filename, [nested]);
        else list.push(nested);
      }
    }
  };
  collect(root);
  return byFile;
}

/** The syntax a file declares; protobufjs's parser knows it but does not report it. */
function declaredSyntax(source: string, where: string): ProtoFile['syntax'] {
  // The syntax (or edition) statement must come first, so the first tokens decide.
  const tokens = protobuf.tokenize(source, false);
  const keyword = tokens.next();
  if (keyword !== 'syntax' && keyword !== 'edition') return 'proto2';
  tokens.next(); // =
  tokens.next(); // opening quote
  const value = tokens.next();
  if (keyword === 'edition') {
    throw new Error(`${where}: editions (edition = "${value}") are not supported yet; use syntax = "proto3"`);
  }
  return value === 'proto3' ? 'proto3' : 'proto2';
}

/** Sets `filename` on the top-level definitions that have none yet. */
function tagFileName(namespace: NamespaceBase, name: string): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum || nested instanceof protobuf.Service) {
      nested.filename ??= name;
    } else if (nested instanceof protobuf.Field) {
      nested.filename ??= name; // an extension declared at file level
    } else if (nested instanceof protobuf.Namespace) {
      tagFileName(nested, name); // a package
    }
  }
}

function readSource(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new Error(`${where}: cannot read the file: ${errorMessage(error)}`, { cause: error });
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/** A path short enough for an error message: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function describeDirs(dirs: readonly string[], prefix: string): string {
  return dirs.length === 0 ? '' : `${prefix}${dirs.map(displayPath).join(', ')}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
