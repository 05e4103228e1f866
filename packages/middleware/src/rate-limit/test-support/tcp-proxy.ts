import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A loopback TCP proxy to a real server that a test can cut and restore, to stage an outage of that server. */
export interface TcpProxy {
  /** The port clients connect to; the same before and after a cut. */
  readonly port: number;
  /**
   * Stops passing what clients send on the connections open now: it waits in the proxy, unanswered, as if the
   * network to the server had stalled. `release` delivers it; `cut` drops it.
   */
  hold(): void;
  /** Delivers what `hold` kept back, and passes everything again. */
  release(): void;
  /** Drops every open connection (both ends) and stops accepting, as if the server had gone away. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /** Cuts, for good. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, on a port of its own, forwarding every connection to `target`. */
export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const requestPipes = new Map<Socket, Socket>();
  let server: Server | undefined;

  const forward = (downstream: Socket) => {
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      // A cut resets connections on purpose; closing one end closes the other, as a dead server would.
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        requestPipes.delete(downstream);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
    requestPipes.set(downstream, upstream);
  };

  const listen = async (port: number): Promise<number> => {
    const listening = createServer(forward);
    listening.listen(port, '127.0.0.1');
    await once(listening, 'listening');
    server = listening;
    return (listening.address() as AddressInfo).port;
  };

  const cut = async () => {
    const stopping = server;
    server = undefined;
    if (!stopping) return;
    const stopped = new Promise<void>((resolve) => stopping.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await stopped;
  };

  const port = await listen(0);
  return {
    port,
    hold() {
      for (const [downstream, upstream] of requestPipes) {
        downstream.unpipe(upstream);
        downstream.pause();
      }
    },
    release() {
      for (const [downstream, upstream] of requestPipes) downstream.pipe(upstream);
    },
    cut,
    async restore() {
      if (!server) await listen(port);
    },
    close: cut,
  };
}
