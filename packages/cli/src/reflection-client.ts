import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type BidiStreaming,
  type CallOptions,
  type Channel,
  type Client,
  createClient,
  defineService,
  ProtoSet,
  RpcError,
  type ServiceDefinition,
  Status,
} from '@wirekit/core';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/** A `grpc.reflection.v1.ServerReflectionRequest` (v1alpha has the same fields). */
interface ReflectionRequest {
  readonly host?: string;
  readonly messageRequest:
    | { readonly case: 'fileByFilename'; readonly value: string }
    | { readonly case: 'fileContainingSymbol'; readonly value: string }
    | { readonly case: 'listServices'; readonly value: string };
}

/** A `grpc.reflection.v1.ServerReflectionResponse`, with the members this client reads. */
interface ReflectionResponse {
  readonly messageResponse?:
    | { readonly case: 'fileDescriptorResponse'; readonly value: { readonly fileDescriptorProto: readonly Uint8Array[] } }
    | { readonly case: 'listServicesResponse'; readonly value: { readonly service: readonly { readonly name: string }[] } }
    | { readonly case: 'errorResponse'; readonly value: { readonly errorCode: number; readonly errorMessage: string } }
    | { readonly case: 'allExtensionNumbersResponse'; readonly value: unknown };
}

type ReflectionService = ServiceDefinition<{ ServerReflectionInfo: BidiStreaming<ReflectionRequest, ReflectionResponse> }>;

/** Thrown when the server serves neither v1 nor v1alpha reflection. */
export class ReflectionUnavailableError extends Error {
  static {
    Object.defineProperty(ReflectionUnavailableError.prototype, 'name', { value: 'ReflectionUnavailableError' });
  }
}

/** Thrown when the server's reflection does not know a symbol (a service, a message, a method's service). */
export class SymbolNotFoundError extends Error {
  static {
    Object.defineProperty(SymbolNotFoundError.prototype, 'name', { value: 'SymbolNotFoundError' });
  }
}

/** Serialized FileDescriptorProtos as one serialized `google.protobuf.FileDescriptorSet` (field 1, repeated bytes). */
export function fileDescriptorSetOf(files: readonly Uint8Array[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const file of files) writer.uint32((1 << 3) | 2).bytes(file);
  return writer.finish();
}

/**
 * A gRPC server reflection client (`grpc.reflection.v1.ServerReflection`, falling back to v1alpha) on a
 * Wirekit channel: lists services, and fetches the file descriptors of a symbol with every file they import.
 *
 * @example
 * const reflection = new ReflectionClient(createChannel('127.0.0.1:50051'));
 * const protos = await reflection.protoSetOf(['payments.v1.PaymentService']);
 */
export class ReflectionClient {
  readonly #channel: Channel;
  readonly #options: CallOptions;
  // The version that answered: v1 first, v1alpha for older servers; found on the first request.
  #client: Client<ReflectionService> | undefined;

  /** `options` apply to every reflection call (a deadline, request metadata). */
  constructor(channel: Channel, options: CallOptions = {}) {
    this.#channel = channel;
    this.#options = options;
  }

  /** Full names of the services the server lists, sorted. */
  async listServices(): Promise<string[]> {
    const [response] = await this.#ask([{ messageRequest: { case: 'listServices', value: '*' } }]);
    const answer = response?.messageResponse;
    if (answer?.case !== 'listServicesResponse') throw unexpected(answer?.case);
    return answer.value.service.map((service) => service.name).sort();
  }

  /**
   * The serialized FileDescriptorProtos that define `symbols` (full names of services, methods, messages or
   * enums), with every file they import, directly or not.
   *
   * @throws SymbolNotFoundError when the server does not know a symbol.
   */
  async filesOf(symbols: readonly string[]): Promise<Uint8Array[]> {
    const files = new Map<string, Uint8Array>();
    let requests: ReflectionRequest[] = symbols.map((symbol) => ({ messageRequest: { case: 'fileContainingSymbol', value: symbol } }));
    // Rounds of one stream each: ask for what is missing, then for the imports of what arrived.
    while (requests.length > 0) {
      const responses = await this.#ask(requests);
      const wanted = new Set<string>();
      for (const [index, response] of responses.entries()) {
        const answer = response.messageResponse;
        if (answer?.case === 'errorResponse') {
          const request = requests[index]?.messageRequest;
          throw new SymbolNotFoundError(
            `the server does not know ${request?.case === 'fileByFilename' ? 'the file' : ''}"${request?.value}" (${answer.value.errorMessage || statusNameOf(answer.value.errorCode)})`,
          );
        }
        if (answer?.case !== 'fileDescriptorResponse') throw unexpected(answer?.case);
        for (const bytes of answer.value.fileDescriptorProto) {
          const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as { name: string; dependency: string[] };
          files.set(file.name, bytes);
          for (const dependency of file.dependency) wanted.add(dependency);
        }
      }
      requests = [...wanted]
        .filter((name) => !files.has(name))
        .map((name) => ({ messageRequest: { case: 'fileByFilename', value: name } }));
    }
    return [...files.values()];
  }

  /** A ProtoSet of the files that define `symbols`, imports included. */
  async protoSetOf(symbols: readonly string[]): Promise<ProtoSet> {
    return ProtoSet.fromDescriptorSet(fileDescriptorSetOf(await this.filesOf(symbols)));
  }

  // Sends the requests on one stream and returns one response per request, in order.
  async #ask(requests: readonly ReflectionRequest[]): Promise<ReflectionResponse[]> {
    if (this.#client) return collect(this.#client.serverReflectionInfo(requests, this.#options));
    const [v1, v1alpha] = reflectionServices();
    for (const definition of [v1, v1alpha]) {
      const client = createClient(definition, this.#channel);
      try {
        const responses = await collect(client.serverReflectionInfo(requests, this.#options));
        this.#client = client;
        return responses;
      } catch (error: unknown) {
        if (!(RpcError.is(error) && error.code === Status.UNIMPLEMENTED)) throw error;
      }
    }
    throw new ReflectionUnavailableError(`the server does not serve reflection (grpc.reflection.v1 or v1alpha)`);
  }
}

async function collect<T>(responses: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const response of responses) all.push(response);
  return all;
}

function unexpected(answer: string | undefined): Error {
  return new Error(`unexpected reflection answer: ${answer ?? 'none'}`);
}

function statusNameOf(code: number): string {
  return Status[code] ?? `code ${code}`;
}

function reflectionServices(): [ReflectionService, ReflectionService] {
  // The protos ship with @grpc/reflection (a dependency of @wirekit/core); loaded per client, never cached in the module.
  const protoDir = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..', 'proto');
  const protos = ProtoSet.load(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    includeDirs: [protoDir],
  });
  return [defineService(protos, 'grpc.reflection.v1.ServerReflection'), defineService(protos, 'grpc.reflection.v1alpha.ServerReflection')];
}
