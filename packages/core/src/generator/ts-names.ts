import type { ReflectionObject } from 'protobufjs';
import protobuf from 'protobufjs';

// Names a generated declaration may not take: what the module imports or declares itself, the globals its
// types use, and words TypeScript reserves for types or values.
const RESERVED: ReadonlySet<string> = new Set([
  'protos',
  'defineService',
  'ProtoSet',
  'Unary',
  'ServerStreaming',
  'ClientStreaming',
  'BidiStreaming',
  'Record',
  'Uint8Array',
  'Date',
  'JsonValue',
  'JsonObject',
  'Array',
  'Object',
  ...['any', 'bigint', 'boolean', 'never', 'number', 'object', 'string', 'symbol', 'undefined', 'unknown', 'void'],
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum'],
  ...['export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null'],
  ...['return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'while', 'with', 'yield', 'let'],
  ...['static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval'],
]);

/**
 * The TypeScript name of each definition: a message's or enum's simple name, nested ones joined by `_`
 * (`Outer_Inner`), a service's name. When names would clash with each other or with a reserved name, those
 * definitions take their package in PascalCase as a prefix (`PaymentsV1Payment`); a clash that remains
 * (`A_B` nested and `A_B` top-level) is settled by a numeric suffix in full-name order.
 */
export function assignNames(definitions: readonly ReflectionObject[]): Map<ReflectionObject, string> {
  const byBase = new Map<string, ReflectionObject[]>();
  for (const definition of definitions) {
    const base = baseName(definition);
    byBase.set(base, [...(byBase.get(base) ?? []), definition]);
  }
  const names = new Map<ReflectionObject, string>();
  const taken = new Set<string>();
  const deferred: [ReflectionObject, string][] = [];
  for (const [base, group] of byBase) {
    if (group.length === 1 && !RESERVED.has(base)) {
      names.set(group[0] as ReflectionObject, base);
      taken.add(base);
    } else {
      for (const definition of group) deferred.push([definition, `${packagePrefix(definition)}${base}`]);
    }
  }
  deferred.sort(([a], [b]) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  for (const [definition, prefixed] of deferred) {
    let name = prefixed === baseName(definition) ? `${prefixed}_` : prefixed; // no package to prefix with
    for (let i = 2; taken.has(name) || RESERVED.has(name); i++) name = `${prefixed}_${i}`;
    names.set(definition, name);
    taken.add(name);
  }
  return names;
}

/** The name within the package: `Outer_Inner` for `payments.v1.Outer.Inner`. */
function baseName(definition: ReflectionObject): string {
  const parts = [definition.name];
  for (let parent = definition.parent; parent instanceof protobuf.Type; parent = parent.parent) parts.unshift(parent.name);
  return parts.join('_');
}

/** The package of a definition in PascalCase: `payments.v1` → `PaymentsV1`. */
function packagePrefix(definition: ReflectionObject): string {
  let parent = definition.parent;
  while (parent instanceof protobuf.Type) parent = parent.parent;
  const pkg = parent?.fullName.slice(1) ?? '';
  return pkg
    .split(/[._]/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
