import type { JsonValue } from './protos/json-value.js';
import type { ProtoSet } from './protos/proto-set.js';

/** The four call shapes of gRPC, as literal flags. */
export type RpcMode = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';

/**
 * Turns messages of one type into protobuf bytes and back, and into the proto3 JSON mapping and back (for
 * logs, command-line output and JSON bodies people type).
 *
 * @example
 * const codec = protos.codec<Payment>('payments.v1.Payment');
 * codec.toJson(payment); // { paymentId: 'p1', amountCents: '1250', createdAt: '2024-05-01T12:00:00Z' }
 * codec.fromJson({ amount_cents: 99 }).amountCents; // 99n
 */
export interface MessageCodec<T> {
  /** The message's full proto name, e.g. `payments.v1.Payment`. */
  readonly typeName: string;
  /** @throws TypeError naming the path of a value of the wrong type. */
  encode(value: T): Uint8Array;
  /** @throws Error naming the type when the bytes are not a message of it. */
  decode(bytes: Uint8Array): T;
  /**
   * The message in the canonical proto3 JSON mapping: lowerCamelCase JSON names, fields at their defaults left
   * out, 64-bit integers as strings, enums by name, bytes as base64, well-known types in their JSON forms.
   *
   * @throws TypeError naming the path of a value of the wrong type, or of one JSON cannot show (a NaN in a
   *   google.protobuf.Value, a Timestamp out of range).
   */
  toJson(value: T): JsonValue;
  /**
   * Reads the proto3 JSON mapping of the message: JSON or proto field names, numbers or strings for numbers,
   * enum names or numbers, standard or URL-safe base64, `null` for "not set". Gives the full message, as
   * `decode` does.
   *
   * @throws TypeError naming the path of what is not this message's JSON (unknown fields included).
   */
  fromJson(json: unknown): T;
}

/** What a generated definition states about one rpc, checked against the proto at load time. */
export interface MethodDefinition<Req = unknown, Res = unknown, Mode extends RpcMode = RpcMode> {
  /** The rpc's name as written in the proto, e.g. `Charge`. */
  readonly name: string;
  /** The HTTP/2 path, e.g. `/payments.v1.PaymentService/Charge`. */
  readonly path: string;
  /** The full name of the service the rpc belongs to. */
  readonly service: string;
  readonly mode: Mode;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestCodec: MessageCodec<Req>;
  readonly responseCodec: MessageCodec<Res>;
  /** The rpc's `idempotency_level` option: retries may repeat only idempotent or side-effect-free calls. */
  readonly idempotency: 'unknown' | 'idempotent' | 'no_side_effects';
}

/** Phantom description of one rpc used in generated code: `Unary<ChargeRequest, Payment>`. */
export type Unary<Req, Res> = MethodDefinition<Req, Res, 'unary'>;
export type ServerStreaming<Req, Res> = MethodDefinition<Req, Res, 'server_streaming'>;
export type ClientStreaming<Req, Res> = MethodDefinition<Req, Res, 'client_streaming'>;
export type BidiStreaming<Req, Res> = MethodDefinition<Req, Res, 'bidi_streaming'>;

/** Any method definition, whatever its types. */
// biome-ignore lint/suspicious/noExplicitAny: a method of any request and response type must fit here; `unknown` would make codecs invariant.
export type AnyMethodDefinition = MethodDefinition<any, any, RpcMode>;

/** The rpcs of a service, by their proto names. */
export type MethodMap = { readonly [name: string]: AnyMethodDefinition };

/**
 * A proto service bound to its message codecs, as `defineService` (and generated code) returns it.
 *
 * @example
 * export const PaymentService = defineService<{ Charge: Unary<ChargeRequest, Payment> }>(protos, 'payments.v1.PaymentService');
 */
export interface ServiceDefinition<Methods extends MethodMap = MethodMap> {
  /** The service's full proto name, e.g. `payments.v1.PaymentService`. */
  readonly fullName: string;
  readonly methods: Methods;
  /** The proto files the service was loaded from, for reflection and for name lookups. */
  readonly protos: ProtoSet;
}

/** Request type of a method definition. */
export type RequestOf<M> = M extends MethodDefinition<infer Req, unknown, RpcMode> ? Req : never;
/** Response type of a method definition. */
export type ResponseOf<M> = M extends MethodDefinition<unknown, infer Res, RpcMode> ? Res : never;
