/** A host and, when one is known, a port. */
export interface HostPort {
  readonly host: string;
  readonly port: number | undefined;
}

/**
 * Splits a gRPC peer string (`127.0.0.1:53124`, `[::1]:53124`) into host and port. Anything else (a Unix
 * socket, an in-memory peer) is kept whole as the host, with no port.
 *
 * @example
 * splitHostPort('[::1]:53124'); // { host: '::1', port: 53124 }
 */
export function splitHostPort(address: string): HostPort {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (match?.[1] === undefined || match[2] === undefined) return { host: address.replace(/^\[(.*)\]$/, '$1'), port: undefined };
  return { host: match[1], port: Number(match[2]) };
}

/**
 * The server a client target names, as the OpenTelemetry conventions want it for `server.address`: the name
 * the client was given (a DNS name stays a name), not the address it resolved to. Returns `undefined` for a
 * target that lists several addresses (`ipv4:a:p,b:p`), since no one of them is "the" server.
 *
 * @example
 * targetServer('dns:///payments.internal:50051'); // { host: 'payments.internal', port: 50051 }
 */
export function targetServer(target: string): HostPort | undefined {
  // Unix sockets have a path and no port; grpc-js spells them `unix:path`, `unix:///path` or `unix-abstract:name`.
  const socket = /^unix(?:-abstract)?:(?:\/\/)?(.+)$/.exec(target);
  if (socket?.[1] !== undefined) return { host: socket[1], port: undefined };
  // `dns:host:port`, `dns:///host:port` and `dns://resolver/host:port`; `ipv4:`/`ipv6:` list literal addresses.
  const address = target.replace(/^dns:(?:\/\/[^/]*\/)?/, '').replace(/^ipv[46]:/, '');
  if (address === '' || address.includes(',')) return undefined;
  return splitHostPort(address);
}
