import { credentials, Client as GrpcClient, Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { RpcError, type ServerMiddleware, type ServiceImplementation, Status } from '@wirekit/core';
import { Counter, Gauge, register as globalRegistry, type OpenMetricsContentType, openMetricsContentType, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { aborted, type EchoService, serveEcho } from '../test-support/echo-service.js';
import { clientMetrics } from './client-metrics.js';
import type { MetricsRegistry } from './grpc-metrics.js';
import { metrics } from './metrics.js';

const implementation: ServiceImplementation<typeof EchoService> = {
  echo: async (request, ctx) => {
    if (request.message === 'throw') throw new TypeError('boom');
    if (request.message === 'park') throw await aborted(ctx.signal);
    if (request.failWithCode) throw new RpcError(request.failWithCode, 'failed as asked');
    return { message: request.message };
  },
  async *expand(request) {
    // "forever" streams until the client goes away; "throw" fails after the first message.
    for (let index = 0; request.message === 'forever' || index < request.count; index++) {
      yield { message: `${request.message}-${index}` };
      if (request.message === 'throw') throw new TypeError('broke mid-stream');
    }
  },
  collect: async (requests) => {
    let count = 0;
    for await (const _request of requests) count++;
    return { count };
  },
  async *chat(requests) {
    for await (const request of requests) yield { message: request.message };
  },
};

/** A middleware, to put outermost, that tells when calls ended: every inner middleware has finished with them. */
function endings() {
  let ended = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const middleware: ServerMiddleware = async function* countEnds(call, next) {
    try {
      return yield* next(call);
    } finally {
      ended++;
      for (const waiter of waiting.filter((candidate) => candidate.count <= ended)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  /** Resolves once `count` calls in all have ended on the server. */
  const until = (count: number): Promise<void> =>
    count <= ended ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }));
  return { middleware, until };
}

/** An app on a loopback port with a client to it. */
async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of source);
}

/** The value of one series, found by a subset of its labels; `undefined` when there is no such series. */
async function seriesValue(
  registry: MetricsRegistry,
  name: string,
  labels: Record<string, string>,
  sample = name,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const series = values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === sample &&
      Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
  );
  return series?.value;
}

const method = (type: string, name: string) => ({ grpc_type: type, grpc_service: 'wirekit.test.v1.EchoService', grpc_method: name });

describe('server metrics', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function start(registry: MetricsRegistry, options: { buckets?: readonly number[] } = {}) {
    const ends = endings();
    const served = await serveEcho({ middleware: [ends.middleware, metrics({ registry, ...options })], implementation });
    running = served;
    return { ...served, until: ends.until };
  }

  it('counts calls, messages and durations under the go-grpc-prometheus names, in every mode', async () => {
    const registry = new Registry();
    const { client, until } = await start(registry);
    await client.echo({ message: 'a' });
    await drain(client.expand({ message: 'b', count: 3 }));
    await client.collect([{}, {}, {}, {}]);
    await drain(client.chat([{ message: 'c' }, { message: 'd' }]));
    await until(4);

    const expected = [
      { labels: method('unary', 'Echo'), received: 1, sent: 1 },
      { labels: method('server_stream', 'Expand'), received: 1, sent: 3 },
      { labels: method('client_stream', 'Collect'), received: 4, sent: 1 },
      { labels: method('bidi_stream', 'Chat'), received: 2, sent: 2 },
    ];
    for (const { labels, received, sent } of expected) {
      expect(await seriesValue(registry, 'grpc_server_started_total', labels)).toBe(1);
      expect(await seriesValue(registry, 'grpc_server_handled_total', { ...labels, grpc_code: 'OK' })).toBe(1);
      expect(await seriesValue(registry, 'grpc_server_msg_received_total', labels)).toBe(received);
      expect(await seriesValue(registry, 'grpc_server_msg_sent_total', labels)).toBe(sent);
      const withCode = { ...labels, grpc_code: 'OK' };
      expect(await seriesValue(registry, 'grpc_server_handling_seconds', withCode, 'grpc_server_handling_seconds_count')).toBe(1);
      expect(await seriesValue(registry, 'grpc_server_handling_seconds', withCode, 'grpc_server_handling_seconds_sum')).toBeGreaterThan(0);
    }
    const text = await registry.getSingleMetricAsString('grpc_server_handled_total');
    expect(text).toContain(
      'grpc_server_handled_total{grpc_type="unary",grpc_service="wirekit.test.v1.EchoService",grpc_method="Echo",grpc_code="OK"} 1',
    );
  });

  it('labels failures with the name of their status code', async () => {
    const registry = new Registry();
    const { client, until } = await start(registry);
    await expect(client.echo({ failWithCode: Status.NOT_FOUND })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(client.echo({ message: 'throw' })).rejects.toMatchObject({ code: Status.INTERNAL });
    await expect(drain(client.expand({ message: 'throw', count: 5 }))).rejects.toMatchObject({ code: Status.INTERNAL });
    await until(3);
    const echo = method('unary', 'Echo');
    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...echo, grpc_code: 'NOT_FOUND' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...echo, grpc_code: 'INTERNAL' })).toBe(1);
    const expand = method('server_stream', 'Expand');
    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...expand, grpc_code: 'INTERNAL' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_server_msg_sent_total', expand)).toBe(1);
  });

  it('counts streams the client abandoned after the first message as CANCELLED', async () => {
    const registry = new Registry();
    const { client, until } = await start(registry);
    for await (const _response of client.expand({ message: 'forever' })) break;

    const controller = new AbortController();
    async function* requests() {
      yield { message: 'first' };
      await aborted(controller.signal);
    }
    await expect(
      (async () => {
        for await (const _reply of client.chat(requests(), { signal: controller.signal })) controller.abort();
      })(),
    ).rejects.toMatchObject({ code: Status.CANCELLED });
    await until(2);

    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...method('server_stream', 'Expand'), grpc_code: 'CANCELLED' })).toBe(
      1,
    );
    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...method('bidi_stream', 'Chat'), grpc_code: 'CANCELLED' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_server_msg_received_total', method('bidi_stream', 'Chat'))).toBe(1);
    expect(await seriesValue(registry, 'grpc_server_handled_total', { grpc_code: 'OK' })).toBeUndefined();
  });

  it('never creates series for methods the server does not serve: grpc-js answers them before any middleware', async () => {
    const registry = new Registry();
    const { address, client, until } = await start(registry);
    const raw = new GrpcClient(address, credentials.createInsecure());
    try {
      for (const path of ['/wirekit.test.v1.EchoService/NoSuchMethod', '/made.up.Service/Anything']) {
        const status = await new Promise<{ code: number }>((resolve) => {
          raw.makeUnaryRequest(
            path,
            (bytes: Buffer) => bytes,
            (bytes: Buffer) => bytes,
            Buffer.alloc(0),
            new GrpcMetadata(),
            {},
            (error) => resolve(error as unknown as { code: number }),
          );
        });
        expect(status.code).toBe(Status.UNIMPLEMENTED);
      }
    } finally {
      raw.close();
    }
    await client.echo({ message: 'known' });
    await until(1);

    const series = (await registry.getMetricsAsJSON()).flatMap((metric) => metric.values.map((value) => value.labels));
    expect(series.length).toBeGreaterThan(0);
    expect(new Set(series.map((labels) => labels.grpc_method))).toEqual(new Set(['Echo']));
    expect(new Set(series.map((labels) => labels.grpc_service))).toEqual(new Set(['wirekit.test.v1.EchoService']));
    expect(await seriesValue(registry, 'grpc_server_started_total', {})).toBe(1);
  });

  it('uses only the registry it is given, reusing metrics already there, so two middlewares can share one', async () => {
    const registry = new Registry();
    expect(() => metrics({ registry })).not.toThrow();
    const first = await start(registry);
    await first.client.echo({ message: 'a' });
    await first.until(1);
    await first.close();
    const second = await start(registry);
    await second.client.echo({ message: 'b' });
    await second.until(1);
    expect(await seriesValue(registry, 'grpc_server_handled_total', { ...method('unary', 'Echo'), grpc_code: 'OK' })).toBe(2);
    expect(globalRegistry.getSingleMetric('grpc_server_started_total')).toBeUndefined();
  });

  it('refuses a registry holding a different metric under one of its names', () => {
    const withOtherLabels = new Registry();
    new Counter({ name: 'grpc_server_started_total', help: 'x', labelNames: ['grpc_path'], registers: [withOtherLabels] });
    expect(() => metrics({ registry: withOtherLabels })).toThrow(/grpc_server_started_total with the labels \[grpc_path\]/);
    const withGauge = new Registry();
    new Gauge({ name: 'grpc_server_handled_total', help: 'x', registers: [withGauge] });
    expect(() => metrics({ registry: withGauge })).toThrow(/grpc_server_handled_total, and it is not a counter/);
  });

  it('takes the histogram’s buckets', async () => {
    const registry = new Registry();
    const { client, until } = await start(registry, { buckets: [0.1, 1] });
    await client.echo({ message: 'a' });
    await until(1);
    const text = await registry.getSingleMetricAsString('grpc_server_handling_seconds');
    expect([...text.matchAll(/le="([^"]+)"/g)].map((match) => match[1])).toEqual(['0.1', '1', '+Inf']);
  });

  it('names counters the same way in the OpenMetrics format', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(openMetricsContentType);
    const { client, until } = await start(registry);
    await client.echo({ message: 'a' });
    await until(1);
    const text = await registry.metrics();
    expect(text).toContain('grpc_server_started_total{grpc_type="unary"');
    expect(text).not.toContain('_total_total');
  });
});

describe('client metrics', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function start(registry: Registry) {
    const served = await serveEcho({ implementation, clientMiddleware: [clientMetrics({ registry })] });
    running = served;
    return served.client;
  }

  it('counts calls and messages from the client’s side, in every mode', async () => {
    const registry = new Registry();
    const client = await start(registry);
    await client.echo({ message: 'a' });
    await drain(client.expand({ message: 'b', count: 3 }));
    await client.collect([{}, {}, {}, {}]);
    await drain(client.chat([{ message: 'c' }, { message: 'd' }]));

    const expected = [
      { labels: method('unary', 'Echo'), sent: 1, received: 1 },
      { labels: method('server_stream', 'Expand'), sent: 1, received: 3 },
      { labels: method('client_stream', 'Collect'), sent: 4, received: 1 },
      { labels: method('bidi_stream', 'Chat'), sent: 2, received: 2 },
    ];
    for (const { labels, sent, received } of expected) {
      expect(await seriesValue(registry, 'grpc_client_started_total', labels)).toBe(1);
      expect(await seriesValue(registry, 'grpc_client_handled_total', { ...labels, grpc_code: 'OK' })).toBe(1);
      expect(await seriesValue(registry, 'grpc_client_msg_sent_total', labels)).toBe(sent);
      expect(await seriesValue(registry, 'grpc_client_msg_received_total', labels)).toBe(received);
      expect(
        await seriesValue(registry, 'grpc_client_handling_seconds', { ...labels, grpc_code: 'OK' }, 'grpc_client_handling_seconds_count'),
      ).toBe(1);
    }
  });

  it('labels failures, cancellations and abandoned streams with their codes', async () => {
    const registry = new Registry();
    const client = await start(registry);
    await expect(client.echo({ failWithCode: Status.PERMISSION_DENIED })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const controller = new AbortController();
    const parked = client.echo({ message: 'park' }, { signal: controller.signal });
    controller.abort();
    await expect(parked).rejects.toMatchObject({ code: Status.CANCELLED });
    await expect(client.echo({ message: 'park' }, { timeoutMs: 50 })).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    for await (const _response of client.expand({ message: 'forever' })) break;

    const echo = method('unary', 'Echo');
    expect(await seriesValue(registry, 'grpc_client_handled_total', { ...echo, grpc_code: 'PERMISSION_DENIED' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_client_handled_total', { ...echo, grpc_code: 'CANCELLED' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_client_handled_total', { ...echo, grpc_code: 'DEADLINE_EXCEEDED' })).toBe(1);
    const expand = method('server_stream', 'Expand');
    expect(await seriesValue(registry, 'grpc_client_handled_total', { ...expand, grpc_code: 'CANCELLED' })).toBe(1);
    expect(await seriesValue(registry, 'grpc_client_msg_received_total', expand)).toBe(1);
  });

  it('shares a registry with the server metrics', async () => {
    const registry = new Registry();
    expect(() => {
      metrics({ registry });
      clientMetrics({ registry });
      clientMetrics({ registry });
    }).not.toThrow();
    expect(registry.getSingleMetric('grpc_client_handled_total')).toBeDefined();
    expect(registry.getSingleMetric('grpc_server_handled_total')).toBeDefined();
  });
});
