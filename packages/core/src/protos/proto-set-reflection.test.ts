import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import reflection from '@grpc/reflection';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService, ProtoSet } from './proto-set.js';

// Reflection served from a ProtoSet's package definition by a real server, read through a client whose
// messages go through Wirekit codecs: both directions of the proto-loader interop at once.

const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
const protos = ProtoSet.load(['kitchen_sink.proto', 'legacy.proto'], { includeDirs: [testSupport] });
const reflectionPackage = path.dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json'));
const reflectionProtos = ProtoSet.load('grpc/reflection/v1/reflection.proto', {
  includeDirs: [path.join(reflectionPackage, 'build', 'proto')],
});
const ServerReflection = defineService(reflectionProtos, 'grpc.reflection.v1.ServerReflection');

interface FileProto {
  name: string;
  dependency: string[];
  messageType: { name: string; field: { name: string; proto3Optional?: boolean }[] }[];
}

describe('ProtoSet.packageDefinition with @grpc/reflection', () => {
  let server: grpc.Server;
  let client: grpc.Client;

  beforeAll(async () => {
    server = new grpc.Server();
    new reflection.ReflectionService(protos.packageDefinition()).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      );
    });
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  /** Asks one question (the request's `message_request` oneof) and gives the answer (the response's `message_response`). */
  const ask = (question: { case: string; value: unknown }): Promise<{ case: string; value: unknown }> => {
    const method = ServerReflection.methods.ServerReflectionInfo;
    if (method === undefined) throw new Error('no ServerReflectionInfo rpc');
    const call = client.makeBidiStreamRequest(
      method.path,
      (value: Record<string, unknown>) => Buffer.from(method.requestCodec.encode(value)),
      (bytes: Buffer) => method.responseCodec.decode(bytes) as Record<string, unknown>,
    );
    return new Promise((resolve, reject) => {
      call.on('data', (response: Record<string, unknown>) => {
        resolve(response.messageResponse as { case: string; value: unknown });
        call.end();
      });
      call.on('error', reject);
      call.write({ messageRequest: question });
    });
  };

  it('lists the services', async () => {
    const answer = await ask({ case: 'listServices', value: '*' });
    expect(answer).toEqual({ case: 'listServicesResponse', value: { service: [{ name: 'kitchen.v1.KitchenService' }] } });
  });

  it('serves the real files, with their names, imports and proto3 optional fields', async () => {
    const answer = await ask({ case: 'fileContainingSymbol', value: 'kitchen.v1.KitchenService' });
    expect(answer.case).toBe('fileDescriptorResponse');
    const encoded = (answer.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto;
    const files = encoded.map(
      (bytes) => descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)) as FileProto,
    );
    const imports = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map(
      (name) => `google/protobuf/${name}.proto`,
    );
    expect(files.map((file) => file.name).sort()).toEqual([...imports, 'kitchen_sink.proto']);
    const kitchen = files.find((file) => file.name === 'kitchen_sink.proto');
    expect(kitchen?.dependency).toEqual(imports);
    const sink = kitchen?.messageType.find((message) => message.name === 'KitchenSink');
    expect(sink?.field.find((field) => field.name === 'maybe_int32')?.proto3Optional).toBe(true);
  });
});
