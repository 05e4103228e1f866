// The rich error details of the gRPC error model (the messages of googleapis `google/rpc/error_details.proto`)
// as plain, readonly TypeScript values. `status-details-codec.ts` turns them into `google.rpc.Status` bytes.
//
// One rule for absent values, so decoded details compare equal however the peer encoded them: fields marked
// optional here may be left out when you build a detail; a decoded detail has every string, list and map
// filled ('' / [] / {}, the proto3 defaults), while message fields (`localizedMessage`) and proto3 `optional`
// fields (`futureQuotaValue`) are present only when the peer set them, because on the wire their absence
// means something.

/** Why a call failed, as a stable machine-readable `reason` within a `domain` (`google.rpc.ErrorInfo`). */
export interface ErrorInfo {
  readonly type: 'google.rpc.ErrorInfo';
  /** An UPPER_SNAKE_CASE constant, unique within `domain`, e.g. `CARD_DECLINED`. */
  readonly reason: string;
  /** The service that defines `reason`, e.g. `payments.example.com`. */
  readonly domain: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A protobuf `google.protobuf.Duration`: whole seconds plus nanoseconds of the same sign. */
export interface ProtoDuration {
  readonly seconds: number;
  readonly nanos: number;
}

/** How long the client should wait before it retries the call (`google.rpc.RetryInfo`). */
export interface RetryInfo {
  readonly type: 'google.rpc.RetryInfo';
  readonly retryDelay: ProtoDuration;
}

/** Debugging information from the server, never for end users (`google.rpc.DebugInfo`). */
export interface DebugInfo {
  readonly type: 'google.rpc.DebugInfo';
  readonly stackEntries?: readonly string[];
  readonly detail: string;
}

/** One exceeded quota (`google.rpc.QuotaFailure.Violation`). */
export interface QuotaViolation {
  /** What the quota applies to, e.g. `project:acme` or `clientip:10.0.0.1`. */
  readonly subject: string;
  readonly description: string;
  readonly apiService?: string;
  readonly quotaMetric?: string;
  readonly quotaId?: string;
  readonly quotaDimensions?: Readonly<Record<string, string>>;
  /** An `int64` on the wire, hence `bigint`. */
  readonly quotaValue?: bigint;
  /** The limit about to take effect, when a change is pending; absent (not `0n`) when none is. */
  readonly futureQuotaValue?: bigint;
}

/** Which quota checks failed (`google.rpc.QuotaFailure`). */
export interface QuotaFailure {
  readonly type: 'google.rpc.QuotaFailure';
  readonly violations: readonly QuotaViolation[];
}

/** One unmet precondition (`google.rpc.PreconditionFailure.Violation`). */
export interface PreconditionViolation {
  /** A service-specific kind of precondition, e.g. `TOS`. */
  readonly type: string;
  readonly subject: string;
  readonly description: string;
}

/** Which preconditions of the call were not met (`google.rpc.PreconditionFailure`). */
export interface PreconditionFailure {
  readonly type: 'google.rpc.PreconditionFailure';
  readonly violations: readonly PreconditionViolation[];
}

/** One invalid request field (`google.rpc.BadRequest.FieldViolation`). */
export interface FieldViolation {
  /** A dot-separated path to the field, e.g. `payment.amount.currency`. */
  readonly field: string;
  readonly description: string;
  readonly reason?: string;
  readonly localizedMessage?: { readonly locale: string; readonly message: string };
}

/** Which fields of the request were invalid (`google.rpc.BadRequest`). */
export interface BadRequest {
  readonly type: 'google.rpc.BadRequest';
  readonly fieldViolations: readonly FieldViolation[];
}

/** Identifies the request, so a user can quote it in a bug report (`google.rpc.RequestInfo`). */
export interface RequestInfo {
  readonly type: 'google.rpc.RequestInfo';
  readonly requestId: string;
  readonly servingData?: string;
}

/** The resource the call was accessing (`google.rpc.ResourceInfo`). */
export interface ResourceInfo {
  readonly type: 'google.rpc.ResourceInfo';
  readonly resourceType: string;
  readonly resourceName: string;
  readonly owner?: string;
  readonly description: string;
}

/** Links to documentation or to an out-of-band fix (`google.rpc.Help`). */
export interface Help {
  readonly type: 'google.rpc.Help';
  readonly links: readonly { readonly description: string; readonly url: string }[];
}

/** An error message that is safe to show to the end user, in one locale (`google.rpc.LocalizedMessage`). */
export interface LocalizedMessage {
  readonly type: 'google.rpc.LocalizedMessage';
  /** A BCP 47 tag, e.g. `en-US`. */
  readonly locale: string;
  readonly message: string;
}

/** The standard detail types, told apart by `type`, their full proto name. */
export type KnownErrorDetail =
  | ErrorInfo
  | RetryInfo
  | DebugInfo
  | QuotaFailure
  | PreconditionFailure
  | BadRequest
  | RequestInfo
  | ResourceInfo
  | Help
  | LocalizedMessage;

/**
 * A detail of a type Wirekit has no schema for, kept as the raw `google.protobuf.Any` so that passing an error
 * on does not drop it.
 */
export interface UnknownErrorDetail {
  /** The full proto name, taken from the type URL after its last `/`. */
  readonly type: string;
  /** The type URL exactly as received, e.g. `type.googleapis.com/acme.v1.Reason`. */
  readonly typeUrl: string;
  /** The serialized message, untouched. */
  readonly value: Uint8Array;
}

/**
 * One rich error detail carried in the `grpc-status-details-bin` trailer.
 *
 * `type` of an unknown detail is any string, so check `isUnknownErrorDetail` (or `'typeUrl' in detail`) before
 * a `switch (detail.type)` to narrow to the known shapes; `RpcError.findDetails` does both for you.
 *
 * @example
 * throw new RpcError(Status.INVALID_ARGUMENT, 'invalid payment', {
 *   details: [badRequest([{ field: 'amount', description: 'must be positive' }])],
 * });
 */
export type ErrorDetail = KnownErrorDetail | UnknownErrorDetail;

/** The detail shape a lookup by type name yields: the known shape of that name, or raw details for any other. */
export type ErrorDetailOf<T extends string> = string extends T
  ? ErrorDetail
  : T extends KnownErrorDetail['type']
    ? Extract<KnownErrorDetail, { type: T }>
    : UnknownErrorDetail;

// Keyed by the union so that adding a detail type without listing it here fails to compile.
const KNOWN_TYPES: ReadonlySet<string> = new Set(
  Object.keys({
    'google.rpc.ErrorInfo': true,
    'google.rpc.RetryInfo': true,
    'google.rpc.DebugInfo': true,
    'google.rpc.QuotaFailure': true,
    'google.rpc.PreconditionFailure': true,
    'google.rpc.BadRequest': true,
    'google.rpc.RequestInfo': true,
    'google.rpc.ResourceInfo': true,
    'google.rpc.Help': true,
    'google.rpc.LocalizedMessage': true,
  } satisfies Record<KnownErrorDetail['type'], true>),
);

/** Whether `name` is the full proto name of one of the standard detail types. */
export function isKnownErrorDetailType(name: string): name is KnownErrorDetail['type'] {
  return KNOWN_TYPES.has(name);
}

/** Whether a detail is a raw one kept as received, rather than one of the standard shapes. */
export function isUnknownErrorDetail(detail: ErrorDetail): detail is UnknownErrorDetail {
  return 'typeUrl' in detail && 'value' in detail && detail.value instanceof Uint8Array;
}

/**
 * A `BadRequest` detail listing the invalid fields.
 *
 * @example
 * badRequest([{ field: 'card.expiry', description: 'is in the past', reason: 'CARD_EXPIRED' }]);
 */
export function badRequest(fieldViolations: readonly FieldViolation[]): BadRequest {
  return { type: 'google.rpc.BadRequest', fieldViolations };
}

/**
 * An `ErrorInfo` detail.
 *
 * @example
 * errorInfo('CARD_DECLINED', 'payments.example.com', { issuer: 'acme-bank' });
 */
export function errorInfo(reason: string, domain: string, metadata?: Readonly<Record<string, string>>): ErrorInfo {
  return metadata === undefined
    ? { type: 'google.rpc.ErrorInfo', reason, domain }
    : { type: 'google.rpc.ErrorInfo', reason, domain, metadata };
}

/**
 * A `RetryInfo` detail asking the client to wait `delayMs` milliseconds before retrying.
 *
 * @example
 * throw new RpcError(Status.UNAVAILABLE, 'draining', { details: [retryInfo(2_000)] });
 */
export function retryInfo(delayMs: number): RetryInfo {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`retryInfo: delayMs must be a finite, non-negative number of milliseconds, got ${delayMs}`);
  }
  let seconds = Math.floor(delayMs / 1000);
  // Whole nanoseconds, since the wire type counts them in an int32; rounding may carry into the next second.
  let nanos = Math.round((delayMs - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return { type: 'google.rpc.RetryInfo', retryDelay: { seconds, nanos } };
}
