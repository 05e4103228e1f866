import { isStatus, RpcError, Status } from '@wirekit/core';
import type { EchoStatus } from './gen/test.js';

/**
 * The error a request's `response_status` asks the server to end the call with ("Echo Status" in the interop
 * descriptions), or `undefined` when it asks for none (absent, or code 0). A code outside gRPC's 0–16 cannot be
 * put in an `RpcError`, so it becomes UNKNOWN with the message kept.
 */
export function echoStatusError(status: EchoStatus | undefined): RpcError | undefined {
  if (status === undefined || status.code === Status.OK) return undefined;
  return new RpcError(isStatus(status.code) ? status.code : Status.UNKNOWN, status.message);
}
