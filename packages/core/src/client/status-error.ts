import type { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import type { ErrorDetail } from '../error-details.js';
import { fromGrpcMetadata } from '../grpc-metadata.js';
import { RpcError } from '../rpc-error.js';
import { isStatus, Status } from '../status.js';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from '../status-details-codec.js';

/** Trailers the client decodes itself and keeps out of the metadata it hands over. */
export const HIDDEN_TRAILERS: ReadonlySet<string> = new Set([STATUS_DETAILS_KEY]);

/** The status grpc-js reports at the end of a failed call. */
export interface GrpcStatus {
  readonly code: number;
  readonly details: string;
  readonly metadata?: GrpcMetadata | null;
}

/** Turns a failed call's status into an `RpcError`, with the rich details of `grpc-status-details-bin` decoded. */
export function statusToError(status: GrpcStatus, cause?: unknown): RpcError {
  const code = isStatus(status.code) ? status.code : Status.UNKNOWN;
  const metadata = fromGrpcMetadata(status.metadata, HIDDEN_TRAILERS);
  let details: ErrorDetail[] = [];
  const encoded = status.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (encoded instanceof Buffer) {
    try {
      details = decodeStatusDetails(encoded).details;
    } catch {
      // Undecodable details must not hide the status itself; the code and message still reach the caller.
    }
  }
  return new RpcError(code, status.details, { metadata, details, cause });
}

/** Whether a value is a grpc-js ServiceError (an Error with a numeric `code` and `details`). */
export function isGrpcStatus(value: unknown): value is GrpcStatus & Error {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { details?: unknown }).details === 'string'
  );
}
