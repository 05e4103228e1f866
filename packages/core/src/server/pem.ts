import { readFileSync } from 'node:fs';

/** PEM text, its bytes, or the path of a PEM file. */
export type PemSource = string | Uint8Array;

/** Reads a PEM source: a string holding `-----BEGIN` is the PEM itself, any other string is a file path. */
export function readPem(source: PemSource, what: string): Buffer {
  if (typeof source !== 'string') return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if (source.includes('-----BEGIN')) return Buffer.from(source);
  try {
    return readFileSync(source);
  } catch (error: unknown) {
    throw new Error(`cannot read the ${what} from "${source}": ${(error as Error).message}; pass PEM text, bytes or a readable file path`, {
      cause: error,
    });
  }
}
