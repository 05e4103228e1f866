import { type ChannelSettings, type Client, createChannel, createClient } from '@wirekit/core';
import { TestService, UnimplementedService } from './gen/test.js';

/** The typed clients an interop case uses, all to one server. */
export interface InteropClients {
  /** TestService over a channel that sends requests uncompressed. */
  readonly test: Client<typeof TestService>;
  /**
   * TestService over a second channel that gzips every request message. grpc-js compresses per channel, not
   * per message, so the compressed cases switch channels to send one message compressed and the next not.
   */
  readonly gzip: Client<typeof TestService>;
  readonly unimplemented: Client<typeof UnimplementedService>;
  /** Closes both channels. */
  close(): void;
}

/**
 * Opens the clients of the interop cases to `target` (`host:port`).
 *
 * @example
 * const clients = createInteropClients('127.0.0.1:50051');
 * await runInteropCase('large_unary', clients);
 * clients.close();
 */
export function createInteropClients(target: string, settings: ChannelSettings = {}): InteropClients {
  const plain = createChannel(target, settings);
  const gzip = createChannel(target, { ...settings, compression: 'gzip' });
  return {
    test: createClient(TestService, plain),
    gzip: createClient(TestService, gzip),
    unimplemented: createClient(UnimplementedService, plain),
    close: () => {
      plain.close();
      gzip.close();
    },
  };
}
