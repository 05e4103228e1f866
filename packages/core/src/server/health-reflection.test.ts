import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client, credentials, Metadata as GrpcMetadata, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Unary } from '../definition.js';
import { defineService, ProtoSet } from '../protos/proto-set.js';
import { Status } from '../status.js';
import { EchoHandlers } from '../test-support/echo-handlers.js';
import { type RunningApp, startApp } from '../test-support/harness.js';

const require = createRequire(import.meta.url);
const reflectionProtoDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');

type Callback<T> = (error: Error | null, value?: T) => void;
interface HealthStub {
  Check(request: { service: string }, callback: Callback<{ status: string }>): void;
  close(): void;
}
interface ReflectionStream extends NodeJS.EventEmitter {
  write(request: object): void;
  end(): void;
}
interface ReflectionStub {
  ServerReflectionInfo(): ReflectionStream;
  close(): void;
}

/** Stock grpc-js stubs from the protos the gRPC project publishes; nothing of Wirekit's on this side. */
function stockClients(address: string) {
  const health = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: unknown) => HealthStub } } };
  };
  const reflection = loadPackageDefinition(
    loadSync(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], { includeDirs: [reflectionProtoDir] }),
  ) as unknown as {
    grpc: { reflection: Record<'v1' | 'v1alpha', { ServerReflection: new (address: string, creds: unknown) => ReflectionStub }> };
  };
  const insecure = credentials.createInsecure();
  return {
    health: new health.grpc.health.v1.Health(address, insecure),
    v1: new reflection.grpc.reflection.v1.ServerReflection(address, insecure),
    v1alpha: new reflection.grpc.reflection.v1alpha.ServerReflection(address, insecure),
  };
}

function ask(stub: ReflectionStub, request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const stream = stub.ServerReflectionInfo();
    stream.once('data', (response: Record<string, unknown>) => {
      resolve(response);
      stream.end();
    });
    stream.once('error', reject);
    stream.write(request);
  });
}

describe('health and reflection for stock clients', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('answers grpc.health.v1 Check overall and per service, and NOT_FOUND for an unknown service', async () => {
    running = await startApp({ services: [EchoHandlers] });
    const { health, v1, v1alpha } = stockClients(running.address);
    const check = (service: string) =>
      new Promise<{ status?: string; code?: number }>((resolve) =>
        health.Check({ service }, (error, response) =>
          resolve(error ? { code: (error as Error & { code: number }).code } : { status: response?.status }),
        ),
      );
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('wirekit.test.v1.EchoService')).toEqual({ status: 'SERVING' });
    expect(await check('no.such.Service')).toEqual({ code: 5 });
    running.app.setHealth('wirekit.test.v1.EchoService', 'NOT_SERVING');
    expect(await check('wirekit.test.v1.EchoService')).toEqual({ status: 'NOT_SERVING' });
    for (const stub of [health, v1, v1alpha]) stub.close();
  });

  it.each(['v1', 'v1alpha'] as const)('lists services and describes them over reflection %s, enough to call them', async (version) => {
    running = await startApp({ services: [EchoHandlers] });
    const stubs = stockClients(running.address);
    const stub = stubs[version];
    const listed = (await ask(stub, { listServices: '*' })) as { listServicesResponse: { service: { name: string }[] } };
    expect(listed.listServicesResponse.service.map((service) => service.name).sort()).toEqual([
      'grpc.health.v1.Health',
      'wirekit.test.v1.EchoService',
    ]);

    const files = (await ask(stub, { fileContainingSymbol: 'wirekit.test.v1.EchoService' })) as {
      fileDescriptorResponse: { fileDescriptorProto: Buffer[] };
    };
    // Rebuild the schema from the reflected descriptors only, as grpcurl does, and call Echo with it.
    const set = descriptor.FileDescriptorSet.fromObject({
      file: files.fileDescriptorResponse.fileDescriptorProto.map((bytes) => descriptor.FileDescriptorProto.decode(bytes)),
    });
    const root = (protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }).fromDescriptor(set);
    const service = root.lookupService('wirekit.test.v1.EchoService');
    expect(Object.keys(service.methods).sort()).toEqual(['Chat', 'Collect', 'Echo', 'Expand']);
    const request = root.lookupType('wirekit.test.v1.EchoRequest');
    const response = root.lookupType('wirekit.test.v1.EchoResponse');
    const raw = new Client(running.address, credentials.createInsecure());
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/wirekit.test.v1.EchoService/Echo',
        (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
        (bytes: Buffer) => response.toObject(response.decode(bytes), { longs: String }),
        { message: 'through reflection', sequence: '7' },
        new GrpcMetadata(),
        {},
        (error, value) => (error ? reject(error) : resolve(value as Record<string, unknown>)),
      ),
    );
    expect(answer).toMatchObject({ message: 'through reflection', sequence: '7' });
    raw.close();
    for (const each of Object.values(stubs)) each.close();
  });

  it('describes the health service completely enough to rebuild it from reflection and call it', async () => {
    running = await startApp({ services: [EchoHandlers] });
    const stubs = stockClients(running.address);
    const files = (await ask(stubs.v1, { fileContainingSymbol: 'grpc.health.v1.Health' })) as {
      fileDescriptorResponse: { fileDescriptorProto: Buffer[] };
    };
    const set = descriptor.FileDescriptorSet.encode({
      file: files.fileDescriptorResponse.fileDescriptorProto.map((bytes) => descriptor.FileDescriptorProto.decode(bytes)),
    }).finish();
    const reflected = ProtoSet.fromDescriptorSet(set);
    // The map field protobufjs-built descriptors used to lose.
    expect(
      reflected
        .codec<{ statuses: Record<string, { status: string }> }>('grpc.health.v1.HealthListResponse')
        .decode(reflected.codec('grpc.health.v1.HealthListResponse').encode({ statuses: { a: { status: 'SERVING' } } })),
    ).toEqual({ statuses: { a: { status: 'SERVING' } } });
    const Health = defineService<{ Check: Unary<{ service: string }, { status: string }> }>(reflected, 'grpc.health.v1.Health');
    await expect(running.client(Health).check({ service: 'wirekit.test.v1.EchoService' })).resolves.toEqual({ status: 'SERVING' });
    for (const each of Object.values(stubs)) each.close();
  });

  it('serves neither when both are switched off', async () => {
    running = await startApp({ services: [EchoHandlers], health: false, reflection: false });
    const { health, v1, v1alpha } = stockClients(running.address);
    const code = await new Promise<number>((resolve) =>
      health.Check({ service: '' }, (error) => resolve((error as Error & { code: number }).code)),
    );
    expect(code).toBe(Status.UNIMPLEMENTED);
    await expect(ask(v1, { listServices: '*' })).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    await expect(ask(v1alpha, { listServices: '*' })).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    for (const stub of [health, v1, v1alpha]) stub.close();
  });
});
