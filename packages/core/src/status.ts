/**
 * The gRPC status codes, numbered exactly as in the gRPC specification (`doc/statuscodes.md`).
 *
 * @example
 * throw new RpcError(Status.NOT_FOUND, `payment ${id} does not exist`);
 */
export enum Status {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** The name of a status code (`Status.NOT_FOUND` → `"NOT_FOUND"`), or `"CODE_<n>"` for a number outside the spec. */
export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

/** Whether a number is one of the seventeen codes the specification defines. */
export function isStatus(code: unknown): code is Status {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16;
}
