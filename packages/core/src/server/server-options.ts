import { ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import { type PemSource, readPem } from './pem.js';
import type { ResponseCompressionOptions } from './response-compression.js';

/** TLS for the server; with `clientCa`, mutual TLS. */
export interface ServerTlsOptions {
  /** The server's certificate chain. */
  readonly cert: PemSource;
  /** The server's private key. */
  readonly key: PemSource;
  /** CA certificates that client certificates must chain to; setting it turns on mutual TLS. */
  readonly clientCa?: PemSource;
  /**
   * Whether a client without a valid certificate is refused at the handshake. Defaults to `true` when
   * `clientCa` is set.
   */
  readonly requireClientCert?: boolean;
}

/** HTTP/2 keepalive pings, as in gRPC's keepalive guide (`doc/keepalive.md`). */
export interface KeepaliveOptions {
  /** Ping a quiet connection after this long. Default: grpc-js's (2 hours). */
  readonly timeMs?: number;
  /** Close the connection when a ping is not answered within this long. Default 20 s. */
  readonly timeoutMs?: number;
  /** The shortest interval between client pings the server tolerates before sending GOAWAY. Default 5 min. */
  readonly minClientPingIntervalMs?: number;
  /** Close connections idle for this long. Default: never. */
  readonly maxIdleMs?: number;
  /** Close connections after this long, gracefully, so clients rebalance. Default: never. */
  readonly maxAgeMs?: number;
}

/** Transport settings of a server. */
export interface TransportOptions {
  readonly tls?: ServerTlsOptions;
  readonly keepalive?: KeepaliveOptions;
  /** The largest request message accepted, in bytes (default 4 MiB); larger ones get RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageBytes?: number;
  /** The largest response message sent, in bytes (default unlimited); larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxSendMessageBytes?: number;
  /**
   * Compress response messages with gzip or deflate, for clients that accept it (`grpc-accept-encoding`); others
   * get them uncompressed. Default: off. Requests are accepted compressed or not, whatever this says.
   */
  readonly responseCompression?: ResponseCompressionOptions;
  /** Raw grpc-js server options, applied last: an escape hatch for settings Wirekit does not name. */
  readonly grpcOptions?: ServerOptions;
}

export function serverCredentials(tls: ServerTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const clientCa = tls.clientCa === undefined ? null : readPem(tls.clientCa, 'client CA certificate');
  const requireClientCert = tls.requireClientCert ?? clientCa !== null;
  if (requireClientCert && clientCa === null) {
    throw new Error('tls.requireClientCert needs tls.clientCa: the CA that client certificates must chain to');
  }
  return ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: readPem(tls.cert, 'server certificate'), private_key: readPem(tls.key, 'server private key') }],
    requireClientCert,
  );
}

export function grpcServerOptions(options: TransportOptions): ServerOptions {
  const { keepalive = {}, maxReceiveMessageBytes, maxSendMessageBytes, grpcOptions = {} } = options;
  const result: Record<string, number> = {};
  const set = (key: string, value: number | undefined): void => {
    if (value !== undefined) result[key] = value;
  };
  set('grpc.keepalive_time_ms', keepalive.timeMs);
  set('grpc.keepalive_timeout_ms', keepalive.timeoutMs);
  set('grpc.http2.min_ping_interval_without_data_ms', keepalive.minClientPingIntervalMs);
  set('grpc.max_connection_idle_ms', keepalive.maxIdleMs);
  set('grpc.max_connection_age_ms', keepalive.maxAgeMs);
  set('grpc.max_receive_message_length', maxReceiveMessageBytes);
  set('grpc.max_send_message_length', maxSendMessageBytes);
  return { ...result, ...grpcOptions };
}
