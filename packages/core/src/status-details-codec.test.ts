import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { ErrorDetail, KnownErrorDetail, UnknownErrorDetail } from './error-details.js';
import { Status } from './status.js';
import { decodeStatusDetails, encodeStatusDetails } from './status-details-codec.js';

// One of each standard detail, every field set to something other than its proto3 default.
const EVERY_DETAIL: readonly KnownErrorDetail[] = [
  {
    type: 'google.rpc.ErrorInfo',
    reason: 'CARD_DECLINED',
    domain: 'payments.example.com',
    metadata: { issuer: 'acme-bank', attempt: '3' },
  },
  { type: 'google.rpc.RetryInfo', retryDelay: { seconds: 86_400 * 365, nanos: 250_000_000 } },
  { type: 'google.rpc.DebugInfo', stackEntries: ['at charge (charge.ts:10)', 'at main (main.ts:3)'], detail: 'db timeout' },
  {
    type: 'google.rpc.QuotaFailure',
    violations: [
      {
        subject: 'project:acme',
        description: 'daily charges exceeded',
        apiService: 'payments.example.com',
        quotaMetric: 'payments.example.com/charges',
        quotaId: 'ChargesPerDayPerProject',
        quotaDimensions: { region: 'eu-west1', tier: 'gold' },
        quotaValue: 9_007_199_254_740_993n, // above 2^53, so a lossy number path would show
        futureQuotaValue: -42n,
      },
      // An explicit zero in the proto3 `optional` field must come back as zero, not as absent.
      {
        subject: 'clientip:10.0.0.1',
        description: 'burst',
        apiService: 'edge.example.com',
        quotaMetric: 'edge.example.com/requests',
        quotaId: 'RequestsPerMinutePerIp',
        quotaDimensions: { ip: '10.0.0.1' },
        quotaValue: -1n,
        futureQuotaValue: 0n,
      },
    ],
  },
  {
    type: 'google.rpc.PreconditionFailure',
    violations: [{ type: 'TOS', subject: 'example.com/terms', description: 'terms not accepted' }],
  },
  {
    type: 'google.rpc.BadRequest',
    fieldViolations: [
      {
        field: 'payment.amount',
        description: 'must be positive',
        reason: 'NEGATIVE_AMOUNT',
        localizedMessage: { locale: 'de-CH', message: 'Der Betrag muss positiv sein ✓' },
      },
      { field: 'card.expiry', description: 'is in the past', reason: 'EXPIRED', localizedMessage: { locale: 'fr', message: 'expirée' } },
    ],
  },
  { type: 'google.rpc.RequestInfo', requestId: 'req-7f3a', servingData: 'enc:Zm9v' },
  {
    type: 'google.rpc.ResourceInfo',
    resourceType: 'payments.v1.Payment',
    resourceName: 'payments/123',
    owner: 'user:ann@example.com',
    description: 'needs payments.write',
  },
  {
    type: 'google.rpc.Help',
    links: [
      { description: 'Quota docs', url: 'https://example.com/quota' },
      { description: 'Console', url: 'https://console.example.com' },
    ],
  },
  { type: 'google.rpc.LocalizedMessage', locale: 'ja-JP', message: 'お支払いが拒否されました' },
];

// google.protobuf.Any, written out here so that tests can build Status bytes without our schema.
const ANY_JSON = { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } };

const ANY_VALUE = new Uint8Array([0x08, 0x96, 0x01, 0x12, 0x03, 0x61, 0x62, 0x63, 0xff, 0x00]);
const UNKNOWN: UnknownErrorDetail = { type: 'acme.v1.Reason', typeUrl: 'types.acme.dev/acme.v1.Reason', value: ANY_VALUE };

describe('encodeStatusDetails / decodeStatusDetails', () => {
  it.each(EVERY_DETAIL.map((detail) => [detail.type, detail] as const))('round-trips %s', (_name, detail) => {
    const decoded = decodeStatusDetails(encodeStatusDetails({ code: Status.FAILED_PRECONDITION, message: 'm', details: [detail] }));
    expect(decoded.details).toStrictEqual([detail]);
  });

  it('round-trips the code, the message and every detail together, in order', () => {
    const status = { code: Status.RESOURCE_EXHAUSTED, message: 'quota exceeded: ünïcode', details: [...EVERY_DETAIL, UNKNOWN] };
    expect(decodeStatusDetails(encodeStatusDetails(status))).toStrictEqual(status);
  });

  it('fills omitted strings, lists and maps with proto3 defaults, and leaves unset messages and optionals absent', () => {
    const sparse: ErrorDetail[] = [
      { type: 'google.rpc.BadRequest', fieldViolations: [{ field: 'a', description: 'b' }] },
      { type: 'google.rpc.ErrorInfo', reason: 'R', domain: 'd' },
      { type: 'google.rpc.DebugInfo', detail: '' },
      { type: 'google.rpc.QuotaFailure', violations: [{ subject: 's', description: '' }] },
      { type: 'google.rpc.RequestInfo', requestId: 'r' },
      { type: 'google.rpc.ResourceInfo', resourceType: 't', resourceName: 'n', description: '' },
    ];
    const { details } = decodeStatusDetails(encodeStatusDetails({ code: 3, message: '', details: sparse }));
    // toStrictEqual, so that a property present as `undefined` would fail where absence is expected.
    expect(details).toStrictEqual([
      { type: 'google.rpc.BadRequest', fieldViolations: [{ field: 'a', description: 'b', reason: '' }] },
      { type: 'google.rpc.ErrorInfo', reason: 'R', domain: 'd', metadata: {} },
      { type: 'google.rpc.DebugInfo', stackEntries: [], detail: '' },
      {
        type: 'google.rpc.QuotaFailure',
        violations: [{ subject: 's', description: '', apiService: '', quotaMetric: '', quotaId: '', quotaDimensions: {}, quotaValue: 0n }],
      },
      { type: 'google.rpc.RequestInfo', requestId: 'r', servingData: '' },
      { type: 'google.rpc.ResourceInfo', resourceType: 't', resourceName: 'n', owner: '', description: '' },
    ]);
  });

  it('decodes empty bytes as an OK status without details', () => {
    expect(decodeStatusDetails(new Uint8Array())).toEqual({ code: 0, message: '', details: [] });
  });

  it('keeps a detail of an unknown type byte for byte, and writes it back unchanged', () => {
    const bytes = encodeStatusDetails({ code: Status.ABORTED, message: 'conflict', details: [UNKNOWN] });
    const decoded = decodeStatusDetails(bytes);
    expect(decoded.details).toStrictEqual([UNKNOWN]);
    expect(encodeStatusDetails(decoded)).toEqual(bytes);
  });

  it('copies the bytes of an unknown detail out of the input buffer', () => {
    const bytes = Buffer.from(encodeStatusDetails({ code: 10, message: '', details: [UNKNOWN] }));
    const [detail] = decodeStatusDetails(bytes).details;
    bytes.fill(0);
    expect(detail).toStrictEqual(UNKNOWN);
  });

  it('reads a standard detail whatever the host of its type URL', () => {
    const status = protobuf.Root.fromJSON({
      nested: { Status: { fields: { details: { rule: 'repeated', type: 'Any', id: 3 } } }, Any: ANY_JSON },
    }).lookupType('Status');
    const value = new Uint8Array([0x0a, 0x05, ...new TextEncoder().encode('en-GB')]);
    const bytes = status.encode({ details: [{ typeUrl: 'example.com/x/google.rpc.LocalizedMessage', value }] }).finish();
    expect(decodeStatusDetails(bytes).details).toEqual([{ type: 'google.rpc.LocalizedMessage', locale: 'en-GB', message: '' }]);
  });

  it.each([
    ['truncated bytes', () => encodeStatusDetails({ code: 5, message: 'not found', details: EVERY_DETAIL }).slice(0, 40)],
    ['an invalid wire type', () => new Uint8Array([0x27])],
    ['a length past the end', () => new Uint8Array([0x1a, 0x10, 0x01])],
  ])('throws a clear Error on %s', (_name, bytes) => {
    expect(() => decodeStatusDetails(bytes())).toThrow(/^malformed google\.rpc\.Status: /);
  });

  it('throws, naming the type, when a standard detail holds malformed bytes', () => {
    const broken: UnknownErrorDetail = {
      type: 'google.rpc.BadRequest',
      typeUrl: 'type.googleapis.com/google.rpc.BadRequest',
      value: new Uint8Array([0x0a, 0x7f, 0x0a]),
    };
    const bytes = encodeStatusDetails({ code: 3, message: '', details: [broken] });
    expect(() => decodeStatusDetails(bytes)).toThrow(/^malformed google\.rpc\.BadRequest: /);
  });

  it('refuses to encode what cannot be represented', () => {
    const stray = { type: 'acme.v1.Reason' } as unknown as ErrorDetail;
    expect(() => encodeStatusDetails({ code: 3, message: '', details: [stray] })).toThrow(TypeError);
    expect(() => encodeStatusDetails({ code: 3.5, message: '', details: [] })).toThrow(RangeError);
    const huge: ErrorDetail = { type: 'google.rpc.QuotaFailure', violations: [{ subject: '', description: '', quotaValue: 2n ** 63n }] };
    expect(() => encodeStatusDetails({ code: 8, message: '', details: [huge] })).toThrow(RangeError);
    const badDelay: ErrorDetail = { type: 'google.rpc.RetryInfo', retryDelay: { seconds: 1.5, nanos: 0 } };
    expect(() => encodeStatusDetails({ code: 14, message: '', details: [badDelay] })).toThrow(RangeError);
  });
});

// An independent reading of the wire format: types built field by field here, with the numbers of googleapis,
// not loaded from our .proto files, so a wrong number there cannot hide behind a matching wrong decoder.

function independentTypes(): { status: protobuf.Type; badRequest: protobuf.Type } {
  const localized = new protobuf.Type('LocalizedMessage')
    .add(new protobuf.Field('locale', 1, 'string'))
    .add(new protobuf.Field('message', 2, 'string'));
  const violation = new protobuf.Type('FieldViolation')
    .add(new protobuf.Field('field', 1, 'string'))
    .add(new protobuf.Field('description', 2, 'string'))
    .add(new protobuf.Field('reason', 3, 'string'))
    .add(new protobuf.Field('localizedMessage', 4, 'LocalizedMessage'));
  const badRequest = new protobuf.Type('BadRequest').add(new protobuf.Field('fieldViolations', 1, 'FieldViolation', 'repeated'));
  const any = new protobuf.Type('Any').add(new protobuf.Field('typeUrl', 1, 'string')).add(new protobuf.Field('value', 2, 'bytes'));
  const status = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'))
    .add(new protobuf.Field('details', 3, 'Any', 'repeated'));
  new protobuf.Root().add(localized).add(violation).add(badRequest).add(any).add(status).resolveAll();
  return { status, badRequest };
}

// Every field of a message as [field number, raw payload], straight from the wire.
function wireFields(bytes: Uint8Array): [number, Uint8Array | bigint][] {
  const reader = protobuf.Reader.create(bytes);
  const fields: [number, Uint8Array | bigint][] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if ((tag & 7) === 2) fields.push([tag >>> 3, reader.bytes()]);
    else if ((tag & 7) === 0) fields.push([tag >>> 3, BigInt(reader.int64().toString())]);
    else throw new Error(`unexpected wire type ${tag & 7}`);
  }
  return fields;
}

const text = (payload: Uint8Array | bigint | undefined): string => new TextDecoder().decode(payload as Uint8Array);

function detailBytes(detail: KnownErrorDetail): Uint8Array {
  const any = wireFields(encodeStatusDetails({ code: 0, message: '', details: [detail] })).find(([n]) => n === 3)?.[1];
  const value = wireFields(any as Uint8Array).find(([n]) => n === 2)?.[1];
  return value as Uint8Array;
}

// The fields of a message whose fields are all strings (or string maps' entries), as {field number: texts}.
function strings(bytes: Uint8Array): Record<number, string[]> {
  const result: Record<number, string[]> = {};
  for (const [n, payload] of wireFields(bytes)) result[n] = [...(result[n] ?? []), text(payload)];
  return result;
}

function detail<T extends KnownErrorDetail['type']>(type: T): Extract<KnownErrorDetail, { type: T }> {
  return EVERY_DETAIL.find((d) => d.type === type) as Extract<KnownErrorDetail, { type: T }>;
}

describe('wire format, checked against an independent decoder', () => {
  it('encodes BadRequest with the field numbers of googleapis', () => {
    const { status, badRequest } = independentTypes();
    const bytes = encodeStatusDetails({ code: Status.INVALID_ARGUMENT, message: 'bad', details: [detail('google.rpc.BadRequest')] });
    const decoded = status.toObject(status.decode(bytes));
    expect(decoded.code).toBe(3);
    expect(decoded.message).toBe('bad');
    expect(decoded.details[0].typeUrl).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(badRequest.toObject(badRequest.decode(decoded.details[0].value))).toEqual({
      fieldViolations: detail('google.rpc.BadRequest').fieldViolations,
    });
  });

  it('writes each field of the other details under its googleapis number', () => {
    const info = detail('google.rpc.ErrorInfo');
    const errorInfo = wireFields(detailBytes(info));
    expect(errorInfo.slice(0, 2).map(([n, p]) => [n, text(p)])).toEqual([
      [1, info.reason],
      [2, info.domain],
    ]);
    // map<string, string> is a repeated entry message: key = 1, value = 2.
    expect(errorInfo.slice(2).map(([n, p]) => [n, strings(p as Uint8Array)])).toEqual([
      [3, { 1: ['issuer'], 2: ['acme-bank'] }],
      [3, { 1: ['attempt'], 2: ['3'] }],
    ]);

    const [[retryField, duration]] = wireFields(detailBytes(detail('google.rpc.RetryInfo'))) as [[number, Uint8Array]];
    expect(retryField).toBe(1);
    expect(wireFields(duration)).toEqual([
      [1, 31_536_000n],
      [2, 250_000_000n],
    ]);

    expect(strings(detailBytes(detail('google.rpc.DebugInfo')))).toEqual({
      1: ['at charge (charge.ts:10)', 'at main (main.ts:3)'],
      2: ['db timeout'],
    });

    const [[quotaField, quota]] = wireFields(detailBytes(detail('google.rpc.QuotaFailure'))) as [[number, Uint8Array]];
    expect(quotaField).toBe(1);
    expect(wireFields(quota).map(([n, p]) => [n, typeof p === 'bigint' ? p : n === 6 ? strings(p) : text(p)])).toEqual([
      [1, 'project:acme'],
      [2, 'daily charges exceeded'],
      [3, 'payments.example.com'],
      [4, 'payments.example.com/charges'],
      [5, 'ChargesPerDayPerProject'],
      [6, { 1: ['region'], 2: ['eu-west1'] }],
      [6, { 1: ['tier'], 2: ['gold'] }],
      [7, 9_007_199_254_740_993n],
      [8, -42n],
    ]);

    const [[preconditionField, precondition]] = wireFields(detailBytes(detail('google.rpc.PreconditionFailure'))) as [[number, Uint8Array]];
    expect(preconditionField).toBe(1);
    expect(strings(precondition)).toEqual({ 1: ['TOS'], 2: ['example.com/terms'], 3: ['terms not accepted'] });

    expect(strings(detailBytes(detail('google.rpc.RequestInfo')))).toEqual({ 1: ['req-7f3a'], 2: ['enc:Zm9v'] });
    expect(strings(detailBytes(detail('google.rpc.ResourceInfo')))).toEqual({
      1: ['payments.v1.Payment'],
      2: ['payments/123'],
      3: ['user:ann@example.com'],
      4: ['needs payments.write'],
    });

    const links = wireFields(detailBytes(detail('google.rpc.Help')));
    expect(links.map(([n, p]) => [n, strings(p as Uint8Array)])).toEqual([
      [1, { 1: ['Quota docs'], 2: ['https://example.com/quota'] }],
      [1, { 1: ['Console'], 2: ['https://console.example.com'] }],
    ]);

    expect(strings(detailBytes(detail('google.rpc.LocalizedMessage')))).toEqual({ 1: ['ja-JP'], 2: ['お支払いが拒否されました'] });
  });
});
