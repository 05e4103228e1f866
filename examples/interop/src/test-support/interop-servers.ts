import { createInteropServer } from '../interop-server.js';
import { startPlainGrpcJsServer } from '../plain-grpc-js-server.js';

/** A TestService server running in the test's process on a loopback port. */
export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The two servers every case runs against: Wirekit's, and the plain grpc-js reference. */
export const SERVERS = {
  wirekit: async (useTls: boolean): Promise<RunningServer> => {
    const app = createInteropServer({ useTls });
    const { port } = await app.listen('127.0.0.1:0');
    return { port, close: () => app.close() };
  },
  'plain grpc-js': (useTls: boolean): Promise<RunningServer> => startPlainGrpcJsServer({ useTls }),
} as const;

/** The name of one of `SERVERS`. */
export type ServerName = keyof typeof SERVERS;

/** The server names, for `describe.each`. */
export const SERVER_NAMES = Object.keys(SERVERS) as ServerName[];
