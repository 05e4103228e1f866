// Reads and writes the `google.rpc.Status` message that gRPC servers put in the `grpc-status-details-bin`
// trailer, with protobufjs doing all the wire work from the `.proto` files shipped in the package's `proto/`.

import { fileURLToPath } from 'node:url';
import type { IConversionOptions, Root, Type } from 'protobufjs';
// protobufjs is CommonJS and assigns its exports at run time, so Node cannot expose them as named imports.
import protobuf from 'protobufjs';
import {
  type ErrorDetail,
  type FieldViolation,
  isKnownErrorDetailType,
  isUnknownErrorDetail,
  type KnownErrorDetail,
  type QuotaViolation,
} from './error-details.js';

/** A `google.rpc.Status` as plain values: a gRPC status code, a message and the rich details. */
export interface RichStatus {
  readonly code: number;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

/** The trailer that carries a serialized `google.rpc.Status` with rich error details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/**
 * Serializes a `google.rpc.Status`, each detail packed as a `google.protobuf.Any` with the type URL
 * `type.googleapis.com/<full name>`; a raw detail is written back with its own type URL and bytes.
 *
 * @example
 * const bytes = encodeStatusDetails({ code: Status.INVALID_ARGUMENT, message: 'bad amount', details: [badRequest(violations)] });
 */
export function encodeStatusDetails(status: RichStatus): Uint8Array {
  const { root, statusType } = loadSchema();
  checkInt32(status.code, 'status code');
  const details = status.details.map((detail) => toAny(root, detail));
  return statusType.encode(statusType.fromObject({ code: status.code, message: status.message, details })).finish();
}

/**
 * Parses a serialized `google.rpc.Status`. Details of a type outside the standard set come back as
 * `UnknownErrorDetail`, bytes intact.
 *
 * @throws Error when the bytes, or the bytes of a standard detail, are not valid protobuf.
 */
export function decodeStatusDetails(bytes: Uint8Array): { code: number; message: string; details: ErrorDetail[] } {
  const { root, statusType } = loadSchema();
  const status = decodeObject(statusType, bytes);
  return {
    code: num(status.code),
    message: str(status.message),
    details: objects(status.details).map((any) => fromAny(root, any)),
  };
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

interface Schema {
  readonly root: Root;
  readonly statusType: Type;
}

// The one module-level cache of the package, allowed because it holds parsed schema that never changes.
let schema: Schema | undefined;

// Loaded on first use rather than at import, so importing the package never touches the file system.
function loadSchema(): Schema {
  if (schema !== undefined) return schema;
  // `src/` and `dist/` both sit one level below the package root, next to `proto/`.
  const dir = new URL('../proto/', import.meta.url);
  const files = ['google/rpc/status.proto', 'google/rpc/error_details.proto'].map((file) => fileURLToPath(new URL(file, dir)));
  try {
    // `google/protobuf/any.proto` and `duration.proto` resolve to the copies bundled in protobufjs.
    const root = new protobuf.Root().loadSync(files, { keepCase: false });
    schema = { root, statusType: root.lookupType('google.rpc.Status') };
  } catch (cause: unknown) {
    throw new Error(`@wirekit/core could not load the google.rpc protos from ${fileURLToPath(dir)}: ${describe(cause)}`, {
      cause,
    });
  }
  return schema;
}

type ProtoObject = { readonly [field: string]: unknown };

const CONVERSION: IConversionOptions = Object.freeze({ defaults: true, arrays: true, objects: true, longs: String });

function decodeObject(type: Type, bytes: Uint8Array): ProtoObject {
  try {
    return type.toObject(type.decode(bytes), CONVERSION);
  } catch (cause: unknown) {
    throw new Error(`malformed ${type.fullName.slice(1)}: ${describe(cause)}`, { cause });
  }
}

// `type_url`, not `typeUrl`: protobufjs bundles Any as JSON with the field name as written in the proto, and
// `keepCase` applies only to `.proto` text it parses itself.
function toAny(root: Root, detail: ErrorDetail): { type_url: string; value: Uint8Array } {
  if (isUnknownErrorDetail(detail)) return { type_url: detail.typeUrl, value: detail.value };
  const name: string = detail.type;
  if (!isKnownErrorDetailType(name)) {
    throw new TypeError(`cannot encode error detail "${name}": only standard google.rpc details may omit typeUrl and value`);
  }
  const type = root.lookupType(name);
  return { type_url: TYPE_URL_PREFIX + name, value: type.encode(type.fromObject(toProtoObject(detail))).finish() };
}

function fromAny(root: Root, any: ProtoObject): ErrorDetail {
  const typeUrl = str(any.type_url);
  // A copy, so the detail neither pins nor aliases the caller's (often pooled) trailer buffer.
  const value = any.value instanceof Uint8Array ? new Uint8Array(any.value) : new Uint8Array();
  // The Any spec names the type by what follows the URL's last `/`, whatever the host.
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  if (!isKnownErrorDetailType(name)) return { type: name, typeUrl, value };
  return DECODERS[name](decodeObject(root.lookupType(name), value));
}

// protobufjs takes the camelCase detail objects as they are; only `int64` values need converting, and
// `Long.fromValue` (which protobufjs uses) reads decimal strings but not bigints.
function toProtoObject(detail: KnownErrorDetail): object {
  if (detail.type === 'google.rpc.RetryInfo') {
    const { seconds, nanos } = detail.retryDelay;
    if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || Math.abs(nanos) >= 1e9) {
      throw new RangeError(`RetryInfo.retryDelay must be whole seconds and nanos below 1e9, got ${seconds}s ${nanos}ns`);
    }
  }
  if (detail.type !== 'google.rpc.QuotaFailure') return detail;
  return {
    violations: detail.violations.map(({ quotaValue, futureQuotaValue, ...rest }) => ({
      ...rest,
      quotaValue: int64ToString(quotaValue, 'quotaValue'),
      futureQuotaValue: int64ToString(futureQuotaValue, 'futureQuotaValue'),
    })),
  };
}

// One decoder per standard type; the mapped type makes a missing one a compile error.
const DECODERS: { readonly [K in KnownErrorDetail['type']]: (o: ProtoObject) => Extract<KnownErrorDetail, { type: K }> } = {
  'google.rpc.ErrorInfo': (o) => ({
    type: 'google.rpc.ErrorInfo',
    reason: str(o.reason),
    domain: str(o.domain),
    metadata: stringMap(o.metadata),
  }),
  'google.rpc.RetryInfo': (o) => {
    // An absent delay reads as zero, which is what a proto3 reader of the message would see.
    const delay = object(o.retryDelay);
    return { type: 'google.rpc.RetryInfo', retryDelay: { seconds: num(delay.seconds), nanos: num(delay.nanos) } };
  },
  'google.rpc.DebugInfo': (o) => ({
    type: 'google.rpc.DebugInfo',
    stackEntries: strings(o.stackEntries),
    detail: str(o.detail),
  }),
  'google.rpc.QuotaFailure': (o) => ({
    type: 'google.rpc.QuotaFailure',
    violations: objects(o.violations).map(quotaViolation),
  }),
  'google.rpc.PreconditionFailure': (o) => ({
    type: 'google.rpc.PreconditionFailure',
    violations: objects(o.violations).map((v) => ({
      type: str(v.type),
      subject: str(v.subject),
      description: str(v.description),
    })),
  }),
  'google.rpc.BadRequest': (o) => ({
    type: 'google.rpc.BadRequest',
    fieldViolations: objects(o.fieldViolations).map(fieldViolation),
  }),
  'google.rpc.RequestInfo': (o) => ({
    type: 'google.rpc.RequestInfo',
    requestId: str(o.requestId),
    servingData: str(o.servingData),
  }),
  'google.rpc.ResourceInfo': (o) => ({
    type: 'google.rpc.ResourceInfo',
    resourceType: str(o.resourceType),
    resourceName: str(o.resourceName),
    owner: str(o.owner),
    description: str(o.description),
  }),
  'google.rpc.Help': (o) => ({
    type: 'google.rpc.Help',
    links: objects(o.links).map((link) => ({ description: str(link.description), url: str(link.url) })),
  }),
  'google.rpc.LocalizedMessage': (o) => ({
    type: 'google.rpc.LocalizedMessage',
    locale: str(o.locale),
    message: str(o.message),
  }),
};

function quotaViolation(v: ProtoObject): QuotaViolation {
  const violation: QuotaViolation = {
    subject: str(v.subject),
    description: str(v.description),
    apiService: str(v.apiService),
    quotaMetric: str(v.quotaMetric),
    quotaId: str(v.quotaId),
    quotaDimensions: stringMap(v.quotaDimensions),
    quotaValue: int64(v.quotaValue),
  };
  // A proto3 `optional` field: absent and zero mean different things, so absent stays absent.
  return v.futureQuotaValue == null ? violation : { ...violation, futureQuotaValue: int64(v.futureQuotaValue) };
}

function fieldViolation(v: ProtoObject): FieldViolation {
  const violation: FieldViolation = { field: str(v.field), description: str(v.description), reason: str(v.reason) };
  if (v.localizedMessage == null) return violation;
  const localized = object(v.localizedMessage);
  return { ...violation, localizedMessage: { locale: str(localized.locale), message: str(localized.message) } };
}

// Readers over protobufjs's untyped `toObject` output; with `defaults: true` the values are always there, so
// the fallbacks only keep the types honest.
function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
}

function int64(value: unknown): bigint {
  return typeof value === 'string' || typeof value === 'number' ? BigInt(value) : 0n;
}

function object(value: unknown): ProtoObject {
  return typeof value === 'object' && value !== null ? (value as ProtoObject) : {};
}

function objects(value: unknown): ProtoObject[] {
  return Array.isArray(value) ? value.map(object) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str) : [];
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(object(value)).map(([key, item]) => [key, str(item)]));
}

function int64ToString(value: bigint | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (BigInt.asIntN(64, value) !== value) throw new RangeError(`QuotaFailure ${field} ${value} does not fit in an int64`);
  return value.toString();
}

function checkInt32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError(`${what} must be an int32, got ${value}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
