import { describe, expect, it } from 'vitest';
import { splitHostPort, targetServer } from './peer-address.js';

describe('splitHostPort', () => {
  it('splits IPv4 and bracketed IPv6 peers, and keeps anything else whole', () => {
    expect(splitHostPort('127.0.0.1:53124')).toEqual({ host: '127.0.0.1', port: 53124 });
    expect(splitHostPort('[::1]:53124')).toEqual({ host: '::1', port: 53124 });
    expect(splitHostPort('[::1]')).toEqual({ host: '::1', port: undefined });
    expect(splitHostPort('payments.internal')).toEqual({ host: 'payments.internal', port: undefined });
    expect(splitHostPort('in-memory')).toEqual({ host: 'in-memory', port: undefined });
  });
});

describe('targetServer', () => {
  it('reads the server a client target names, in the forms grpc-js accepts', () => {
    expect(targetServer('127.0.0.1:50051')).toEqual({ host: '127.0.0.1', port: 50051 });
    expect(targetServer('payments.internal:50051')).toEqual({ host: 'payments.internal', port: 50051 });
    expect(targetServer('dns:///payments.internal:50051')).toEqual({ host: 'payments.internal', port: 50051 });
    expect(targetServer('dns://8.8.8.8/payments.internal:50051')).toEqual({ host: 'payments.internal', port: 50051 });
    expect(targetServer('dns:payments.internal')).toEqual({ host: 'payments.internal', port: undefined });
    expect(targetServer('ipv6:[::1]:50051')).toEqual({ host: '::1', port: 50051 });
    expect(targetServer('unix:///run/payments.sock')).toEqual({ host: '/run/payments.sock', port: undefined });
    expect(targetServer('unix:run/payments.sock')).toEqual({ host: 'run/payments.sock', port: undefined });
  });

  it('names no server for a target listing several addresses', () => {
    expect(targetServer('ipv4:10.0.0.1:50051,10.0.0.2:50051')).toBeUndefined();
  });
});
