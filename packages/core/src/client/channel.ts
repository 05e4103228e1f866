import { type ChannelOptions, Client, credentials as grpcCredentials } from '@grpc/grpc-js';
import type { AnyMethodDefinition } from '../definition.js';
import { type PemSource, readPem } from '../server/pem.js';
import type { ClientNext } from './client-middleware.js';
import type { ClientTransport } from './client-transport.js';
import { networkCall } from './network-call.js';

/** TLS for a client; with `cert` and `key`, mutual TLS. */
export interface ClientTlsOptions {
  /** CA certificates the server's certificate must chain to; the system's roots when absent. */
  readonly ca?: PemSource;
  /** The client's certificate chain, for mutual TLS. */
  readonly cert?: PemSource;
  /** The client's private key, for mutual TLS. */
  readonly key?: PemSource;
  /** The name to verify the server's certificate against when it differs from the target's host. */
  readonly serverName?: string;
}

/** How a channel connects. */
export interface ChannelSettings {
  /** TLS settings; plaintext when absent. */
  readonly tls?: ClientTlsOptions;
  /**
   * How calls are spread over the target's addresses. `round_robin` uses every address a `dns:///host:port` or
   * `ipv4:a:p,b:p` target resolves to; `pick_first` (grpc's default) uses one.
   */
  readonly loadBalancing?: 'round_robin' | 'pick_first';
  readonly keepalive?: {
    readonly timeMs?: number;
    readonly timeoutMs?: number;
    readonly permitWithoutCalls?: boolean;
  };
  /** The largest response message accepted, in bytes (default 4 MiB). */
  readonly maxReceiveMessageBytes?: number;
  /** The largest request message sent, in bytes. */
  readonly maxSendMessageBytes?: number;
  /** Compress request messages. Default: none. */
  readonly compression?: 'gzip' | 'deflate';
  /** Raw grpc-js channel options, applied last. */
  readonly grpcOptions?: ChannelOptions;
}

/**
 * A connection (or a balanced set of connections) to one target, shared by any number of clients.
 *
 * @example
 * const channel = createChannel('dns:///payments.internal:50051', { loadBalancing: 'round_robin' });
 * const payments = createClient(PaymentService, channel);
 * // … at exit
 * channel.close();
 */
export class Channel implements ClientTransport {
  /** The grpc-js client that carries the calls; internal to Wirekit. */
  readonly transport: Client;
  readonly target: string;

  constructor(target: string, settings: ChannelSettings = {}) {
    this.target = target;
    this.transport = new Client(target, channelCredentials(settings.tls), channelOptions(settings));
  }

  call(method: AnyMethodDefinition): ClientNext {
    return networkCall(this.transport, method);
  }

  /** Closes the connections; calls in progress fail with UNAVAILABLE or CANCELLED. */
  close(): void {
    this.transport.close();
  }

  /** Resolves once connected, or rejects at the deadline (epoch ms or Date). */
  waitForReady(deadline: Date | number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.transport.waitForReady(deadline, (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** Creates a channel to `target` (`host:port`, `dns:///host:port`, `ipv4:a:p,b:p`, `unix:path`). */
export function createChannel(target: string, settings: ChannelSettings = {}): Channel {
  return new Channel(target, settings);
}

function channelCredentials(tls: ClientTlsOptions | undefined): ReturnType<typeof grpcCredentials.createInsecure> {
  if (!tls) return grpcCredentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new Error('tls.cert and tls.key go together: mutual TLS needs both the client certificate and its key');
  }
  return grpcCredentials.createSsl(
    tls.ca === undefined ? null : readPem(tls.ca, 'CA certificate'),
    tls.key === undefined ? null : readPem(tls.key, 'client private key'),
    tls.cert === undefined ? null : readPem(tls.cert, 'client certificate'),
  );
}

const COMPRESSION = { deflate: 1, gzip: 2 } as const;

function channelOptions(settings: ChannelSettings): ChannelOptions {
  const { loadBalancing, keepalive = {}, maxReceiveMessageBytes, maxSendMessageBytes, compression, tls, grpcOptions = {} } = settings;
  const options: Record<string, string | number> = {};
  if (loadBalancing) options['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ [loadBalancing]: {} }] });
  if (keepalive.timeMs !== undefined) options['grpc.keepalive_time_ms'] = keepalive.timeMs;
  if (keepalive.timeoutMs !== undefined) options['grpc.keepalive_timeout_ms'] = keepalive.timeoutMs;
  if (keepalive.permitWithoutCalls !== undefined) options['grpc.keepalive_permit_without_calls'] = keepalive.permitWithoutCalls ? 1 : 0;
  if (maxReceiveMessageBytes !== undefined) options['grpc.max_receive_message_length'] = maxReceiveMessageBytes;
  if (maxSendMessageBytes !== undefined) options['grpc.max_send_message_length'] = maxSendMessageBytes;
  if (compression) options['grpc.default_compression_algorithm'] = COMPRESSION[compression];
  if (tls?.serverName) options['grpc.ssl_target_name_override'] = tls.serverName;
  return { ...options, ...grpcOptions };
}
