import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { bundledProto } from './bundled-protos.js';
// keepCase: the descriptor set must carry field names as written; the codecs derive the camelCase names.
// alternateCommentMode: `//` comments become doc comments too, as protoc treats them.
const PARSE_OPTIONS = Object.freeze({ keepCase: true, alternateCommentMode: true });
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
export function parseProtoFiles(files, includeDirs = []) {
    const root = new protobuf.Root();
    const dirs = includeDirs.map((dir) => path.resolve(dir));
    const implicitDirs = [];
    const parsed = [];
    const done = new Set();
    const inProgress = [];
    const locateEntry = (file) => {
        const bundledName = file.replaceAll('\\', '/');
        if (bundledProto(bundledName) !== undefined)
            return { name: bundledName, file: undefined };
        const direct = path.resolve(file);
        if (isFile(direct)) {
            for (const dir of dirs) {
                const relative = path.relative(dir, direct);
                if (!relative.startsWith('..') && !path.isAbsolute(relative))
                    return { name: toPosix(relative), file: direct };
            }
            // Outside every include directory: treat its directory as one, as protoc does for `protoc x.proto`.
            if (!implicitDirs.includes(path.dirname(direct)))
                implicitDirs.push(path.dirname(direct));
            return { name: path.basename(direct), file: direct };
        }
        for (const dir of dirs) {
            const candidate = path.resolve(dir, file);
            if (isFile(candidate))
                return { name: toPosix(path.relative(dir, candidate)), file: candidate };
        }
        throw new Error(`cannot find ${file} (looked in the working directory${describeDirs(dirs, ' and in ')})`);
    };
    const locateImport = (name) => {
        if (bundledProto(name) !== undefined)
            return { name, file: undefined };
        for (const dir of [...dirs, ...implicitDirs]) {
            const candidate = path.resolve(dir, name);
            if (isFile(candidate))
                return { name, file: candidate };
        }
        return undefined;
    };
    const load = (located) => {
        const { name, file } = located;
        if (done.has(name))
            return;
        if (inProgress.includes(name))
            throw new Error(`import cycle: ${[...inProgress, name].join(' → ')}`);
        inProgress.push(name);
        const bundled = file === undefined ? bundledProto(name) : undefined;
        let packageName = 'google.protobuf';
        let syntax;
        let imports = [];
        let weakImports = [];
        if (bundled !== undefined) {
            try {
                root.addJSON(bundled.json.nested ?? {});
            }
            catch (error) {
                throw new Error(`${name} (bundled): ${errorMessage(error)}`, { cause: error });
            }
            syntax = bundled.syntax;
        }
        else {
            const where = displayPath(file ?? name);
            const source = readSource(file ?? name, where);
            syntax = declaredSyntax(source, where);
            try {
                const result = protobuf.parse(source, root, PARSE_OPTIONS);
                packageName = result.package ?? '';
                imports = result.imports ?? [];
                weakImports = result.weakImports ?? [];
            }
            catch (error) {
                throw new Error(`${where}: ${errorMessage(error)}`, { cause: error });
            }
        }
        // Tag before loading the imports: the definitions without a file name now are exactly this file's.
        tagFileName(root, name);
        for (const imported of imports) {
            const found = locateImport(imported);
            if (found === undefined) {
                throw new Error(`${displayPath(file ?? name)}: import "${imported}" was not found${describeDirs([...dirs, ...implicitDirs], ' in ')}; add the directory that holds it as an include directory (--proto_path)`);
            }
            load(found);
        }
        const foundWeak = [];
        for (const imported of weakImports) {
            const found = locateImport(imported);
            if (found === undefined)
                continue;
            load(found);
            foundWeak.push(imported);
        }
        inProgress.pop();
        done.add(name);
        parsed.push({ name, package: packageName, syntax, dependencies: imports, weakDependencies: foundWeak });
    };
    const entryFiles = [];
    for (const file of files) {
        const located = locateEntry(file);
        load(located);
        if (!entryFiles.includes(located.name))
            entryFiles.push(located.name);
    }
    try {
        root.resolveAll();
    }
    catch (error) {
        throw new Error(`cannot resolve the types of ${entryFiles.join(', ')}: ${errorMessage(error)}`, { cause: error });
    }
    return { root, files: parsed, entryFiles };
}
/**
 * The top-level definitions (messages, enums, services, extensions) of each file of a Root whose definitions
 * carry their file name, in declaration order.
 */
export function definitionsByFile(root) {
    const byFile = new Map();
    const collect = (namespace) => {
        for (const nested of namespace.nestedArray) {
            if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type) && !(nested instanceof protobuf.Service)) {
                collect(nested); // a package
            }
            else if (nested.filename !== null) {
                const list = byFile.get(nested.filename);
                if (list === undefined)
                    byFile.set(nested.filename, [nested]);
                else
                    list.push(nested);
            }
        }
    };
    collect(root);
    return byFile;
}
/** The syntax a file declares; protobufjs's parser knows it but does not report it. */
function declaredSyntax(source, where) {
    // The syntax (or edition) statement must come first, so the first tokens decide.
    const tokens = protobuf.tokenize(source, false);
    const keyword = tokens.next();
    if (keyword !== 'syntax' && keyword !== 'edition')
        return 'proto2';
    tokens.next(); // =
    tokens.next(); // opening quote
    const value = tokens.next();
    if (keyword === 'edition') {
        throw new Error(`${where}: editions (edition = "${value}") are not supported yet; use syntax = "proto3"`);
    }
    return value === 'proto3' ? 'proto3' : 'proto2';
}
/** Sets `filename` on the top-level definitions that have none yet. */
function tagFileName(namespace, name) {
    for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum || nested instanceof protobuf.Service) {
            nested.filename ??= name;
        }
        else if (nested instanceof protobuf.Field) {
            nested.filename ??= name; // an extension declared at file level
        }
        else if (nested instanceof protobuf.Namespace) {
            tagFileName(nested, name); // a package
        }
    }
}
function readSource(file, where) {
    try {
        return readFileSync(file, 'utf8');
    }
    catch (error) {
        throw new Error(`${where}: cannot read the file: ${errorMessage(error)}`, { cause: error });
    }
}
function isFile(file) {
    try {
        return statSync(file).isFile();
    }
    catch {
        return false;
    }
}
function toPosix(file) {
    return file.split(path.sep).join('/');
}
/** A path short enough for an error message: relative to the working directory when inside it. */
function displayPath(file) {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
function describeDirs(dirs, prefix) {
    return dirs.length === 0 ? '' : `${prefix}${dirs.map(displayPath).join(', ')}`;
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
