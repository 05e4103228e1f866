import type { StatusObject } from '@grpc/grpc-js';
import { toGrpcMetadata } from '../grpc-metadata.js';
import type { Logger } from '../logger.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../status-details-codec.js';
import type { ServerCallContext } from './server-call-context.js';

/**
 * Turns what a handler threw into the status the client receives. An `RpcError` is sent as it is, with its
 * details; anything else is a bug of the service, so the client gets a generic INTERNAL and the cause goes to
 * the log, never to the wire.
 */
export function errorToStatus(thrown: unknown, context: ServerCallContext, logger: Logger): StatusObject {
  const error = RpcError.from(thrown);
  if (!RpcError.is(thrown) && error.code === Status.INTERNAL) {
    logger.error({ method: context.method.path, peer: safePeer(context), err: thrown }, 'handler failed; the client got INTERNAL');
  }
  const metadata = toGrpcMetadata(context.trailer);
  toGrpcMetadata(error.metadata, metadata);
  if (error.details.length > 0) {
    try {
      const bytes = encodeStatusDetails({ code: error.code, message: error.rawMessage, details: error.details });
      metadata.set(STATUS_DETAILS_KEY, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (encodeError: unknown) {
      logger.error(
        { method: context.method.path, err: encodeError },
        'could not encode the error details; the status was sent without them',
      );
    }
  }
  return { code: error.code, details: error.rawMessage, metadata };
}

function safePeer(context: ServerCallContext): string {
  try {
    return context.peer;
  } catch {
    return 'unknown';
  }
}
