import type { Enum, ReflectionObject, Service, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import { mappedFields } from '../protos/field-shapes.js';
import { definitionsByFile, type ParsedProtos } from '../protos/proto-files.js';
import { fieldForm } from '../protos/well-known-types.js';

/** The definitions one generated module declares, in the order it declares them. */
export interface CollectedDefinitions {
  /** Messages and enums of the given files, in file order, each message followed by its nested definitions. */
  readonly local: readonly (Type | Enum)[];
  /**
   * Messages and enums of imported files that local ones use, directly or not, by full name; not the
   * well-known types that fields show as other types (Timestamp as `Date`, …) unless an rpc uses them.
   */
  readonly imported: readonly (Type | Enum)[];
  /** Services of the given files, in file order. */
  readonly services: readonly Service[];
}

/** Picks what a module generated for `parsed.entryFiles` must declare. */
export function collectDefinitions(parsed: ParsedProtos): CollectedDefinitions {
  const byFile = definitionsByFile(parsed.root);
  const local: (Type | Enum)[] = [];
  const services: Service[] = [];
  for (const file of parsed.entryFiles) {
    for (const definition of byFile.get(file) ?? []) {
      if (definition instanceof protobuf.Service) services.push(definition);
      else if (definition instanceof protobuf.Type || definition instanceof protobuf.Enum) addWithNested(definition, local);
    }
  }

  const declared = new Set<ReflectionObject>(local);
  const imported: (Type | Enum)[] = [];
  const pending: (Type | Enum)[] = [];
  const use = (definition: ReflectionObject | null): void => {
    if (!(definition instanceof protobuf.Type || definition instanceof protobuf.Enum) || declared.has(definition)) return;
    declared.add(definition);
    imported.push(definition);
    pending.push(definition);
  };
  for (const definition of local) if (definition instanceof protobuf.Type) usesOf(definition).forEach(use);
  for (const service of services) {
    for (const method of service.methodsArray) {
      use(method.resolvedRequestType);
      use(method.resolvedResponseType);
    }
  }
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next instanceof protobuf.Type) usesOf(next).forEach(use);
  }
  imported.sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  return { local, imported, services };
}

/** The types a message's fields are declared with; well-known types that fields show in other forms need no declaration. */
function usesOf(type: Type): (ReflectionObject | null)[] {
  return mappedFields(type)
    .map((field) => field.resolve().resolvedType)
    .filter((used) => !(used instanceof protobuf.Type && fieldForm(used) !== undefined));
}

function addWithNested(definition: Type | Enum, into: (Type | Enum)[]): void {
  into.push(definition);
  if (!(definition instanceof protobuf.Type)) return;
  for (const nested of definition.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum) addWithNested(nested, into);
  }
}
