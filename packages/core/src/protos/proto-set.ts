import type { PackageDefinition } from '@grpc/proto-loader';
import protoLoader from '@grpc/proto-loader';
import type { NamespaceBase, Root, Service, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import type { MessageCodec, MethodDefinition, MethodMap, RpcMode, ServiceDefinition } from '../definition.js';
import { idempotencyLevelName, splitFileDescriptorSet } from './descriptor-objects.js';
import { type CodecOptions, MessageCodecs } from './message-codec.js';
import { parseProtoFiles } from './proto-files.js';
import { readDescriptorSet } from './read-descriptor-set.js';
import { writeDescriptorSet } from './write-descriptor-set.js';

/** One rpc of a loaded service. */
export interface MethodInfo {
  /** The rpc's name as written in the proto, e.g. `Charge`. */
  readonly name: string;
  /** Full name of the request message, e.g. `payments.v1.ChargeRequest`. */
  readonly requestType: string;
  /** Full name of the response message. */
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  /** The `idempotency_level` method option. */
  readonly idempotency: 'unknown' | 'idempotent' | 'no_side_effects';
}

/** A loaded service and its rpcs, in proto order. */
export interface ServiceInfo {
  /** E.g. `payments.v1.PaymentService`. */
  readonly fullName: string;
  readonly methods: readonly MethodInfo[];
}

/** Where `ProtoSet.load` looks for files, and how its codecs map values. */
export interface ProtoLoadOptions extends CodecOptions {
  /** Directories imports (and the given files) are resolved against, like protoc's `--proto_path`. */
  readonly includeDirs?: readonly string[];
}

const IDEMPOTENCY = {
  IDEMPOTENCY_UNKNOWN: 'unknown',
  NO_SIDE_EFFECTS: 'no_side_effects',
  IDEMPOTENT: 'idempotent',
} as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A set of proto files: their services, and a codec for each message type. Each set has its own protobufjs
 * Root, so sets never see each other's types.
 *
 * @example
 * const protos = ProtoSet.load('payments/v1/payments.proto', { includeDirs: ['proto'] });
 * const codec = protos.codec<Payment>('payments.v1.Payment');
 * codec.decode(codec.encode({ paymentId: 'p1', amountCents: 1250n }));
 */
export class ProtoSet {
  /** Full names of every service in the set, imports included, in proto order. */
  readonly serviceNames: readonly string[];
  readonly #types = new Map<string, Type>();
  readonly #services = new Map<string, ServiceInfo>();
  readonly #codecs: MessageCodecs;
  readonly #writeDescriptorSet: () => Uint8Array;
  #descriptorSet: Uint8Array | undefined;
  #packageDefinition: PackageDefinition | undefined;

  private constructor(root: Root, writeDescriptors: () => Uint8Array, options: CodecOptions) {
    this.#writeDescriptorSet = writeDescriptors;
    this.#codecs = new MessageCodecs({ longs: options.longs ?? 'bigint' }, (name) => this.#types.get(name));
    indexDefinitions(root, this.#types, this.#services);
    this.serviceNames = Object.freeze([...this.#services.keys()]);
  }

  /**
   * Parses .proto files. Imports resolve against `includeDirs`; google/protobuf/{any, duration, empty,
   * field_mask, struct, timestamp, wrappers, descriptor}.proto resolve without files. A given file is found
   * as a path, or under an include directory; outside every include directory, its own directory is one.
   * `longs: 'string'` makes 64-bit integer fields decimal strings instead of bigints.
   *
   * @throws Error naming the file (and line) when a file is missing, does not parse, or uses an unknown type.
   */
  static load(files: string | readonly string[], options: ProtoLoadOptions = {}): ProtoSet {
    const parsed = parseProtoFiles(typeof files === 'string' ? [files] : files, options.includeDirs);
    return new ProtoSet(parsed.root, () => writeDescriptorSet(parsed), options);
  }

  /**
   * Loads a serialized google.protobuf.FileDescriptorSet (as `protoc --descriptor_set_out --include_imports`
   * writes it, or `toDescriptorSet` returns), given as bytes or base64. `options` as for `load`.
   */
  static fromDescriptorSet(bytes: Uint8Array | string, options: CodecOptions = {}): ProtoSet {
    let copy: Uint8Array;
    if (typeof bytes === 'string') {
      const base64 = bytes.replace(/\s+/g, '');
      if (!BASE64.test(base64)) throw new Error('the descriptor set string is not base64');
      copy = new Uint8Array(Buffer.from(base64, 'base64'));
    } else {
      // Our own copy, since the caller may reuse the buffer (`new Uint8Array` copies; a Buffer's slice would not).
      copy = new Uint8Array(bytes);
    }
    return new ProtoSet(readDescriptorSet(copy), () => copy, options);
  }

  /** The service with this full name (`payments.v1.PaymentService`), or `undefined`. */
  findService(fullName: string): ServiceInfo | undefined {
    return this.#services.get(fullName.startsWith('.') ? fullName.slice(1) : fullName);
  }

  /**
   * The codec of a message type, by full name (`payments.v1.Payment`); built on first use, then cached.
   *
   * @throws Error naming the type when no loaded file defines it.
   */
  codec<T>(typeName: string): MessageCodec<T> {
    const name = typeName.startsWith('.') ? typeName.slice(1) : typeName;
    const type = this.#types.get(name);
    if (type === undefined) {
      throw new Error(
        `message type "${name}" is not in the loaded protos; load the .proto file that defines it (or one that imports it) into this ProtoSet`,
      );
    }
    return this.#codecs.codec<T>(type);
  }

  /** The set as a serialized google.protobuf.FileDescriptorSet: every file, imports included, imports first. */
  toDescriptorSet(): Uint8Array {
    this.#descriptorSet ??= this.#writeDescriptorSet();
    return new Uint8Array(this.#descriptorSet); // a copy the caller may change
  }

  /**
   * The set as an `@grpc/proto-loader` package definition (built once), as `@grpc/reflection` and
   * `grpc.loadPackageDefinition` take it.
   */
  packageDefinition(): PackageDefinition {
    if (this.#packageDefinition === undefined) {
      const bytes = this.toDescriptorSet();
      const definition = protoLoader.loadFileDescriptorSetFromBuffer(Buffer.from(bytes));
      // proto-loader re-derives the file descriptors it hands to reflection from a protobufjs Root, merging
      // files by package and dropping imports and proto3 `optional`; reflection clients get ours instead.
      const files = splitFileDescriptorSet(bytes).map((file) => Buffer.from(file));
      for (const entry of Object.values(definition)) {
        if ('fileDescriptorProtos' in entry && Array.isArray(entry.fileDescriptorProtos)) entry.fileDescriptorProtos = files;
      }
      this.#packageDefinition = definition;
    }
    return this.#packageDefinition;
  }
}

/**
 * Binds a service of a ProtoSet to its message codecs: the runtime definition servers and clients use.
 * `M` states the request and response types of each rpc, as generated code writes it.
 *
 * @example
 * export const PaymentService = defineService<{ Charge: Unary<ChargeRequest, Payment> }>(protos, 'payments.v1.PaymentService');
 *
 * @throws Error listing the loaded services when `fullName` is not one of them.
 */
export function defineService<M extends MethodMap>(protos: ProtoSet, fullName: string): ServiceDefinition<M> {
  const service = protos.findService(fullName);
  if (service === undefined) {
    const loaded = protos.serviceNames.length === 0 ? 'none' : protos.serviceNames.join(', ');
    throw new Error(`service "${fullName}" is not in the loaded protos (loaded: ${loaded})`);
  }
  const methods: Record<string, MethodDefinition> = {};
  for (const method of service.methods) {
    methods[method.name] = Object.freeze({
      name: method.name,
      path: `/${service.fullName}/${method.name}`,
      service: service.fullName,
      mode: rpcMode(method.requestStream, method.responseStream),
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestCodec: protos.codec(method.requestType),
      responseCodec: protos.codec(method.responseType),
      idempotency: method.idempotency,
    });
  }
  return Object.freeze({
    fullName: service.fullName,
    // M only restates, in types, the rpcs built here from the proto; nothing at run time can check it further.
    methods: Object.freeze(methods) as unknown as M,
    protos,
  });
}

function rpcMode(requestStream: boolean, responseStream: boolean): RpcMode {
  if (requestStream) return responseStream ? 'bidi_streaming' : 'client_streaming';
  return responseStream ? 'server_streaming' : 'unary';
}

function indexDefinitions(namespace: NamespaceBase, types: Map<string, Type>, services: Map<string, ServiceInfo>): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      types.set(nested.fullName.slice(1), nested);
      indexDefinitions(nested, types, services);
    } else if (nested instanceof protobuf.Service) {
      services.set(nested.fullName.slice(1), serviceInfo(nested));
    } else if (nested instanceof protobuf.Namespace) {
      indexDefinitions(nested, types, services);
    }
  }
}

function serviceInfo(service: Service): ServiceInfo {
  const methods = service.methodsArray.map((method): MethodInfo => {
    const level = idempotencyLevelName(method.options?.idempotency_level) ?? 'IDEMPOTENCY_UNKNOWN';
    return Object.freeze({
      name: method.name,
      // Resolved: the Root was resolved when loaded.
      requestType: (method.resolvedRequestType?.fullName ?? method.requestType).replace(/^\./, ''),
      responseType: (method.resolvedResponseType?.fullName ?? method.responseType).replace(/^\./, ''),
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      idempotency: IDEMPOTENCY[level],
    });
  });
  return Object.freeze({ fullName: service.fullName.slice(1), methods: Object.freeze(methods) });
}
