import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throwaway PKI for TLS tests: one CA signing the server and a client, and a stranger CA. */
export interface TestPki {
  readonly caCert: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** A client certificate signed by a CA the server does not trust. */
  readonly strangerCert: Buffer;
  readonly strangerKey: Buffer;
  /** Paths of the same files, to test PEM-file loading. */
  readonly paths: { readonly caCert: string; readonly serverCert: string; readonly serverKey: string };
  remove(): void;
}

/** Makes a fresh PKI with the openssl command (certificates valid for a day, for localhost and 127.0.0.1). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'wirekit-pki-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const makeCa = (name: string): void => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
    );
  };
  const makeLeaf = (name: string, ca: string, extensions: string): void => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${ca}.crt`),
      '-CAkey',
      file(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    );
  };
  makeCa('test-ca');
  makeCa('stranger-ca');
  makeLeaf('server', 'test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf('client', 'test-ca', 'subjectAltName=DNS:client.test\nextendedKeyUsage=clientAuth\n');
  makeLeaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string): Buffer => readFileSync(file(name));
  return {
    caCert: read('test-ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    strangerCert: read('stranger.crt'),
    strangerKey: read('stranger.key'),
    paths: { caCert: file('test-ca.crt'), serverCert: file('server.crt'), serverKey: file('server.key') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
