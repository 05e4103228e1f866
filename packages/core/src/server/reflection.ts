import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { ProtoSet } from '../protos/proto-set.js';

/**
 * Server reflection (`grpc.reflection.v1` and `v1alpha`) over `@grpc/reflection`, describing every bound
 * service and, when it is on, the health service, so grpcurl-style tools can list and call them.
 */
export function addReflection(server: Server, protoSets: readonly ProtoSet[], services: readonly string[], withHealth: boolean): void {
  const merged: PackageDefinition = {};
  for (const protos of protoSets) Object.assign(merged, protos.packageDefinition());
  if (withHealth) Object.assign(merged, loadSync(healthProtoPath));
  const listed = withHealth ? [...services, 'grpc.health.v1.Health'] : [...services];
  new ReflectionService(merged, { services: listed }).addToServer(server);
}
