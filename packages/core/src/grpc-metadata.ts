import { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { Metadata } from './metadata.js';

// The boundary between our Metadata and @grpc/grpc-js's: no grpc-js object reaches user code (house rule 5).

/** Copies our metadata into a grpc-js Metadata, appended after whatever `into` already holds. */
export function toGrpcMetadata(source: Metadata | undefined, into: GrpcMetadata = new GrpcMetadata()): GrpcMetadata {
  if (!source) return into;
  for (const [key, value] of source) {
    into.add(key, typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return into;
}

/** Copies grpc-js metadata into ours, skipping protocol keys the caller has no use for. */
export function fromGrpcMetadata(source: GrpcMetadata | null | undefined, skip?: ReadonlySet<string>): Metadata {
  const result = new Metadata();
  if (!source) return result;
  for (const [key, values] of Object.entries(source.toJSON())) {
    if (skip?.has(key)) continue;
    for (const value of values) {
      try {
        result.append(key, value);
      } catch {
        // grpc-js accepted a value our stricter rules refuse (e.g. text outside printable ASCII): the entry is
        // dropped rather than failing the whole call over a header the application never asked for.
      }
    }
  }
  return result;
}
