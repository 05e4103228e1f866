import type { PeerCertificate } from 'node:tls';
import type { Identity } from '../shared/identity.js';
import { unauthenticated } from './auth-error.js';

/** What a verified client certificate may do. */
export interface MtlsOptions {
  /**
   * The scopes and roles of the certificate's holder, e.g. by its subject or a SPIFFE ID among its SANs.
   * Without it, certificate holders are authenticated but hold no scopes or roles.
   */
  readonly grant?: (
    certificate: PeerCertificate,
    identity: Identity,
  ) => { readonly scopes?: readonly string[]; readonly roles?: readonly string[] };
}

// Node writes SANs as "DNS:a, IP Address:1.2.3.4, URI:spiffe://…"; split only before a known type, so a
// comma inside a (quoted) value stays part of it.
const SAN_SEPARATOR = /, (?=(?:DNS|IP Address|URI|email|DirName|othername|Registered ID):)/;

/**
 * The identity of the client whose certificate the TLS handshake verified (`ctx.peerCertificate`, which
 * Wirekit sets only when the certificate chains to the server's `clientCa`). The subject is the certificate's
 * common name, else its first URI SAN (a SPIFFE ID), else its first DNS SAN.
 *
 * @example
 * identityFromCertificate(ctx.peerCertificate).subject; // 'billing-worker'
 */
export function identityFromCertificate(certificate: PeerCertificate, options: MtlsOptions = {}): Identity {
  const subjectAltNames = certificate.subjectaltname ? certificate.subjectaltname.split(SAN_SEPARATOR) : [];
  const commonName = first(certificate.subject?.CN);
  const subject =
    commonName ??
    subjectAltNames.find((name) => name.startsWith('URI:'))?.slice(4) ??
    subjectAltNames.find((name) => name.startsWith('DNS:'))?.slice(4);
  if (subject === undefined || subject === '') {
    throw unauthenticated('INVALID_CERTIFICATE', 'the client certificate names no subject (no CN, URI or DNS name)');
  }
  const identity: Identity = {
    subject,
    method: 'mtls',
    scopes: [],
    roles: [],
    claims: Object.freeze({
      subject: { ...certificate.subject },
      issuer: { ...certificate.issuer },
      subjectAltNames,
      serialNumber: certificate.serialNumber,
      fingerprint256: certificate.fingerprint256,
      validTo: certificate.valid_to,
    }),
  };
  const granted = options.grant?.(certificate, identity) ?? {};
  return Object.freeze({ ...identity, scopes: [...(granted.scopes ?? [])], roles: [...(granted.roles ?? [])] });
}

function first(value: string | readonly string[] | undefined): string | undefined {
  // Node gives an array when the subject repeats an attribute.
  return typeof value === 'string' ? value : value?.[0];
}
