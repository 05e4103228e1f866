import { createRequire } from 'node:module';
import type { ChannelOptions } from '@grpc/grpc-js';

// The version of the grpc-js this package resolves, the one its network channels send in their user-agent.
const { version: GRPC_JS_VERSION } = createRequire(import.meta.url)('@grpc/grpc-js/package.json') as { readonly version: string };

/**
 * The `user-agent` a grpc-js channel with these options sends on every call (primary agent, grpc-js's own,
 * secondary agent, as grpc-js's transport composes it), so a handler reached in memory reads the same header
 * it reads over the network.
 */
export function grpcUserAgent(options: ChannelOptions = {}): string {
  return [options['grpc.primary_user_agent'], `grpc-node-js/${GRPC_JS_VERSION}`, options['grpc.secondary_user_agent']]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' ');
}
