import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Status } from '@wirekit/core';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { paymentsMiddleware } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';
import { serve, type Transport } from './test-support/serve-payments.js';

const TOKEN = 'tracing-test-token-0123456789';
const CHARGE = { orderId: 'o-traced', amountCents: 1_250n, currency: 'EUR', customerId: 'c1' };

describe.each<Transport>(['in memory', 'over loopback'])('payments tracing with the production chain, %s', (transport) => {
  async function start() {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    onTestFinished(() => tracerProvider.shutdown());
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const middleware = paymentsMiddleware(readPaymentsConfig({ PAYMENTS_API_TOKENS: TOKEN }), {
      logger,
      registry: new Registry(),
      tracerProvider,
    });
    const { client } = await serve(transport, 'memory', {}, middleware);
    /** The finished SERVER spans and the "call ended" log lines of `method`. */
    const recorded = (method: string) => ({
      spans: exporter
        .getFinishedSpans()
        .filter((span) => span.kind === SpanKind.SERVER && span.name === `payments.v1.PaymentService/${method}`),
      logs: lines.filter((line) => line.msg === 'call ended' && line.method === `/payments.v1.PaymentService/${method}`),
    });
    return { client, recorded };
  }

  it('records a SERVER span for Charge, and the Charge log line carries its trace and span ids', async () => {
    const { client, recorded } = await start();
    const payment = await client.charge(CHARGE, { metadata: { authorization: `Bearer ${TOKEN}` } });

    const { spans, logs } = recorded('Charge');
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'payments.v1.PaymentService',
      'rpc.method': 'Charge',
      'rpc.grpc.status_code': Status.OK,
    });
    expect(span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(logs).toEqual([
      expect.objectContaining({ traceId: span?.spanContext().traceId, spanId: span?.spanContext().spanId, status: 'OK' }),
    ]);
    expect(payment.orderId).toBe('o-traced');
  });

  it('traces a Charge that auth refuses too, with UNAUTHENTICATED, under the id its log line carries', async () => {
    const { client, recorded } = await start();
    await expect(client.charge(CHARGE)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });

    const { spans, logs } = recorded('Charge');
    expect(spans.map((span) => span.attributes['rpc.grpc.status_code'])).toEqual([Status.UNAUTHENTICATED]);
    expect(logs.map((line) => line.traceId)).toEqual([spans[0]?.spanContext().traceId]);
  });
});
