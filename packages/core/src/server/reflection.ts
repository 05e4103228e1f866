import { basename, dirname } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ProtoSet } from '../protos/proto-set.js';

/**
 * Server reflection (`grpc.reflection.v1` and `v1alpha`) over `@grpc/reflection`, describing every bound
 * service and, when it is on, the health service, so grpcurl-style tools can list and call them.
 */
export function addReflection(server: Server, protoSets: readonly ProtoSet[], services: readonly string[], withHealth: boolean): void {
  const merged: PackageDefinition = {};
  for (const protos of protoSets) Object.assign(merged, protos.packageDefinition());
  // Through ProtoSet rather than proto-loader's loadSync: its descriptors lose map fields (HealthListResponse's
  // `map<string, HealthCheckResponse> statuses`), which a client rebuilding the schema from reflection needs.
  if (withHealth)
    Object.assign(merged, ProtoSet.load(basename(healthProtoPath), { includeDirs: [dirname(healthProtoPath)] }).packageDefinition());
  const listed = withHealth ? [...services, 'grpc.health.v1.Health'] : [...services];
  new ReflectionService(merged, { services: listed }).addToServer(server);
}
