import { describe, expect, expectTypeOf, it } from 'vitest';
import { type BadRequest, badRequest, type ErrorDetail, errorInfo, retryInfo, type UnknownErrorDetail } from './error-details.js';
import { Metadata } from './metadata.js';
import { RpcError } from './rpc-error.js';
import { Status } from './status.js';

const SECRET = 'password=hunter2 at db-primary.internal:5432';

describe('new RpcError', () => {
  it('carries the code, the wire message, trailers, details and cause', () => {
    const cause = new Error('lookup failed');
    const details: ErrorDetail[] = [errorInfo('PAYMENT_NOT_FOUND', 'payments.example.com', { id: '42' })];
    const error = new RpcError(Status.NOT_FOUND, 'payment 42 does not exist', {
      metadata: { 'x-request-id': 'abc', 'trace-bin': new Uint8Array([1, 2]) },
      details,
      cause,
    });

    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(RpcError);
    expect(error.name).toBe('RpcError');
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rawMessage).toBe('payment 42 does not exist');
    expect(error.message).toBe('[NOT_FOUND] payment 42 does not exist');
    expect(String(error)).toBe('RpcError: [NOT_FOUND] payment 42 does not exist');
    expect(error.stack?.split('\n')[0]).toBe('RpcError: [NOT_FOUND] payment 42 does not exist');
    expect(error.metadata.get('x-request-id')).toBe('abc');
    expect(error.metadata.get('trace-bin')).toEqual(new Uint8Array([1, 2]));
    expect(error.details).toEqual(details);
    expect(error.cause).toBe(cause);
  });

  it('prints only the code when the message is empty', () => {
    expect(new RpcError(Status.UNAVAILABLE, '').message).toBe('[UNAVAILABLE]');
  });

  it('defaults to empty trailers, no details and no cause', () => {
    const error = new RpcError(Status.ABORTED, 'conflict');
    expect(error.metadata).toBeInstanceOf(Metadata);
    expect(error.metadata.size).toBe(0);
    expect(error.details).toEqual([]);
    expect('cause' in error).toBe(false);
  });

  it('copies its trailers and details, so later changes by the caller do not reach it', () => {
    const metadata = new Metadata({ 'retry-after': '5' });
    const details: ErrorDetail[] = [retryInfo(5_000)];
    const error = new RpcError(Status.UNAVAILABLE, 'draining', { metadata, details });
    metadata.set('retry-after', '99');
    details.push(badRequest([]));
    expect(error.metadata.get('retry-after')).toBe('5');
    expect(error.details).toHaveLength(1);
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it('keeps the name and brand off the instance, out of inspected and serialized output', () => {
    const error = new RpcError(Status.INTERNAL, 'x');
    expect(Object.keys(error)).toEqual(['code', 'rawMessage', 'metadata', 'details']);
  });
});

describe('RpcError#findDetails', () => {
  const raw: UnknownErrorDetail = { type: 'acme.v1.Reason', typeUrl: 'type.googleapis.com/acme.v1.Reason', value: new Uint8Array([8, 1]) };
  // A raw detail with a standard name does not have the standard shape, so a typed lookup must skip it.
  const rawWithStandardName: UnknownErrorDetail = {
    type: 'google.rpc.BadRequest',
    typeUrl: 'type.googleapis.com/google.rpc.BadRequest',
    value: new Uint8Array([0]),
  };
  const first = badRequest([{ field: 'amount', description: 'must be positive' }]);
  const second = badRequest([{ field: 'currency', description: 'unsupported', reason: 'CURRENCY' }]);
  const error = new RpcError(Status.INVALID_ARGUMENT, 'invalid payment', {
    details: [first, errorInfo('INVALID', 'payments.example.com'), raw, rawWithStandardName, second],
  });

  it('returns every standard detail of the type, in order, typed by it', () => {
    const found = error.findDetails('google.rpc.BadRequest');
    expectTypeOf(found).toEqualTypeOf<BadRequest[]>();
    expect(found).toEqual([first, second]);
    expect(found.flatMap((d) => d.fieldViolations.map((v) => v.field))).toEqual(['amount', 'currency']);
  });

  it('returns raw details for a type it has no schema for', () => {
    const found = error.findDetails('acme.v1.Reason');
    expectTypeOf(found).toEqualTypeOf<UnknownErrorDetail[]>();
    expect(found).toEqual([raw]);
  });

  it('returns nothing when no detail has the type', () => {
    expect(error.findDetails('google.rpc.RetryInfo')).toEqual([]);
  });
});

describe('RpcError.is', () => {
  it('recognises its own instances and those of another copy of the package', () => {
    // What a second copy of @wirekit/core in node_modules would produce: a different class, the same brand.
    class ForeignRpcError extends Error {}
    Object.defineProperty(ForeignRpcError.prototype, Symbol.for('wirekit.RpcError'), { value: true });

    expect(RpcError.is(new RpcError(Status.INTERNAL, 'x'))).toBe(true);
    expect(RpcError.is(new ForeignRpcError('x'))).toBe(true);
  });

  it.each([new Error('x'), { code: 5, message: 'x' }, null, undefined, 'RpcError', 42])('rejects %o', (value) => {
    expect(RpcError.is(value)).toBe(false);
  });
});

describe('RpcError.from', () => {
  it('returns an RpcError as it is', () => {
    const error = new RpcError(Status.PERMISSION_DENIED, 'not your payment');
    expect(RpcError.from(error)).toBe(error);
  });

  it('returns an RpcError of another copy of the package as it is', () => {
    const foreign = Object.assign(new Error('[NOT_FOUND] x'), { code: Status.NOT_FOUND, rawMessage: 'x' });
    Object.defineProperty(foreign, Symbol.for('wirekit.RpcError'), { value: true });
    expect(RpcError.from(foreign)).toBe(foreign);
  });

  it('maps the reason of a timed-out AbortSignal to DEADLINE_EXCEEDED', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    const error = RpcError.from(signal.reason);
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error.rawMessage).toBe('Deadline exceeded');
    expect(error.cause).toBe(signal.reason);
  });

  it('maps the reason of an aborted AbortSignal to CANCELLED', () => {
    const controller = new AbortController();
    controller.abort();
    const error = RpcError.from(controller.signal.reason);
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.rawMessage).toBe('Call cancelled');
    expect(error.cause).toBe(controller.signal.reason);
  });

  it('maps an Error named TimeoutError or AbortError the same way, without its message', () => {
    const timeout = Object.assign(new Error(SECRET), { name: 'TimeoutError' });
    const abort = new DOMException(SECRET, 'AbortError');
    expect(RpcError.from(timeout)).toMatchObject({ code: Status.DEADLINE_EXCEEDED, cause: timeout });
    expect(RpcError.from(abort)).toMatchObject({ code: Status.CANCELLED, cause: abort });
    expect(RpcError.from(timeout).message).not.toContain('hunter2');
    expect(RpcError.from(abort).message).not.toContain('hunter2');
  });

  it.each([
    ['an Error', new Error(SECRET)],
    ['a TypeError', new TypeError(SECRET)],
    ['a string', SECRET],
    ['an object with a message', { message: SECRET }],
    ['a plain object named like an abort', { name: 'AbortError', message: SECRET }],
    ['an abort reason that is not an Error', `aborted: ${SECRET}`],
    // The client adapter converts these; here they are just another foreign error, and passing an upstream's
    // code and message through would leak them to our caller.
    ['a @grpc/grpc-js ServiceError', Object.assign(new Error(`14 UNAVAILABLE: ${SECRET}`), { code: 14, details: SECRET, metadata: {} })],
    ['null', null],
    ['undefined', undefined],
  ])('turns %s into a generic INTERNAL error that keeps it only as cause', (_name, reason) => {
    const error = RpcError.from(reason);
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.rawMessage).toBe('Internal server error');
    expect(error.message).toBe('[INTERNAL] Internal server error');
    expect(error.cause).toBe(reason);
    expect(error.details).toEqual([]);
    expect(error.metadata.size).toBe(0);
    expect(`${error.message}\n${error.rawMessage}\n${error.stack}`).not.toContain('hunter2');
  });

  it('uses the fallback code for a foreign error when given one', () => {
    const error = RpcError.from(new Error(SECRET), Status.UNKNOWN);
    expect(error.code).toBe(Status.UNKNOWN);
    expect(error.message).toBe('[UNKNOWN] Internal server error');
  });
});

describe('retryInfo', () => {
  it('splits milliseconds into seconds and nanos, carrying a rounded-up second', () => {
    expect(retryInfo(1_500).retryDelay).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(retryInfo(0).retryDelay).toEqual({ seconds: 0, nanos: 0 });
    expect(retryInfo(1_999.999_999_9).retryDelay).toEqual({ seconds: 2, nanos: 0 });
    expect(() => retryInfo(-1)).toThrow(RangeError);
    expect(() => retryInfo(Number.NaN)).toThrow(RangeError);
  });
});
