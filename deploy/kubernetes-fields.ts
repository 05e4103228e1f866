import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Finds fields that the Kubernetes API does not define, which the schema validators of kubernetes-models accept
 * (the OpenAPI schemas leave objects open) and `kubectl apply --validate=strict` refuses. The field lists are
 * kubernetes-models' own types, generated from the same OpenAPI document as its validators.
 */
export class KubernetesFields {
  readonly #checker: ts.TypeChecker;
  readonly #kinds: ts.Type;

  constructor(kinds: Readonly<Record<string, string>>) {
    const here = dirname(fileURLToPath(import.meta.url));
    const file = join(here, '__kubernetes-kinds.ts');
    const imports = Object.entries(kinds).map(([kind, module]) => `  ${kind}: import('${module}').I${kind};`);
    const source = `export type Kinds = {\n${imports.join('\n')}\n};\n`;
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (name) => (name === file ? source : readFile(name));
    host.fileExists = (name) => name === file || fileExists(name);
    host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version));
    const program = ts.createProgram([file], options, host);
    this.#checker = program.getTypeChecker();
    const sourceFile = program.getSourceFile(file);
    const alias = sourceFile?.statements.find(ts.isTypeAliasDeclaration);
    if (!alias) throw new Error('could not load the kubernetes-models types');
    this.#kinds = this.#checker.getTypeAtLocation(alias.name);
  }

  /** The paths of fields in `manifest` (of `kind`) that its Kubernetes type does not define. */
  unknownFields(kind: string, manifest: unknown): string[] {
    const property = this.#kinds.getProperty(kind);
    if (!property) throw new Error(`no Kubernetes type loaded for kind ${kind}`);
    const found: string[] = [];
    this.#walk(manifest, this.#checker.getTypeOfSymbol(property), kind, found);
    return found;
  }

  #walk(value: unknown, declared: ts.Type, path: string, found: string[]): void {
    const type = this.#checker.getNonNullableType(declared);
    if (Array.isArray(value)) {
      const element = this.#checker.isArrayType(type) ? this.#checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
      if (element) {
        for (const [index, item] of value.entries()) this.#walk(item, element, `${path}[${index}]`, found);
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const objectType = type.isUnion() ? type.types.find((member) => member.getProperties().length > 0) : type;
    if (!objectType) return;
    const index = this.#checker.getIndexTypeOfType(objectType, ts.IndexKind.String);
    for (const [key, child] of Object.entries(value)) {
      const property = objectType.getProperty(key);
      if (property) this.#walk(child, this.#checker.getTypeOfSymbol(property), `${path}.${key}`, found);
      else if (index) this.#walk(child, index, `${path}.${key}`, found);
      else found.push(`${path}.${key}`);
    }
  }
}
