/**
 * Reads `--name=value` flags, the form the gRPC interop clients and servers take (`--name` alone means `true`).
 * Throws on a flag not in `known` or on a stray argument, naming it.
 */
export function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const argument of argv) {
    const match = /^--([a-z_]+)(?:=(.*))?$/s.exec(argument);
    if (!match?.[1]) throw new Error(`unexpected argument ${JSON.stringify(argument)}: flags are --name=value`);
    if (!known.includes(match[1])) throw new Error(`unknown flag --${match[1]}; known: ${known.map((name) => `--${name}`).join(', ')}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  return flags;
}

/** A boolean flag: `true` or `false`; absent is `fallback`. */
export function booleanFlag(flags: ReadonlyMap<string, string>, name: string, fallback: boolean): boolean {
  const value = flags.get(name);
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') throw new Error(`--${name} is true or false, not ${JSON.stringify(value)}`);
  return value === 'true';
}

/** A port flag: an integer from 0 to 65535; absent is `fallback`, or an error when there is none. */
export function portFlag(flags: ReadonlyMap<string, string>, name: string, fallback?: number): number {
  const value = flags.get(name);
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`--${name}=PORT is required`);
    return fallback;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`--${name} is a port number, not ${JSON.stringify(value)}`);
  return port;
}
