import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from './grpc-metrics.js';

/** What `serveMetrics()` takes. */
export interface ServeMetricsOptions {
  readonly registry: MetricsRegistry;
  /** The port to listen on; 0 picks a free one (read it from the result). */
  readonly port: number;
  /** The interface to listen on; by default every interface, as Prometheus scrapes from another host. */
  readonly host?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on, the chosen one when asked for 0. */
  readonly port: number;
  /** Where to scrape it from this host, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections (scrapers keep theirs alive). A second call does nothing. */
  close(): Promise<void>;
}

/**
 * Serves a registry for Prometheus over plain HTTP: `GET /metrics` (and `HEAD`) answers the registry's text
 * with its content type, other paths 404 and other methods on `/metrics` 405. It is a separate port from the
 * gRPC server's, because Prometheus speaks HTTP/1.1 and the port should not be reachable from where clients are.
 *
 * @example
 * const server = await serveMetrics({ registry, port: 9464 });
 * // at shutdown
 * await server.close();
 */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const { registry, port, host } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        // A failing custom collector: Prometheus records the failed scrape; the operator reads why here.
        const reason = error instanceof Error ? error.message : String(error);
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Could not collect the metrics: ${reason}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://${urlHost(address)}:${address.port}/metrics`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function urlHost(address: AddressInfo): string {
  if (address.address === '::' || address.address === '0.0.0.0') return 'localhost';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
