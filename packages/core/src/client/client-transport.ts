import type { AnyMethodDefinition } from '../definition.js';
import type { ClientNext } from './client-middleware.js';

/**
 * What carries a client's calls: a network channel, or an in-memory connection to an app in the same process.
 * `createClient` composes its middleware around `call(method)`, once per method.
 */
export interface ClientTransport {
  /** The innermost step of the chain for one rpc: sends the call and yields the decoded responses. */
  call(method: AnyMethodDefinition): ClientNext;
  /** Releases the transport's resources; calls in progress fail. */
  close(): void;
}
