// The observing middlewares (logging, metrics, tracing) and recovery, over a real loopback server, in every RPC
// mode × {normal, cancelled by the client mid-stream, handler throwing mid-stream}: what each must show.
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RpcError, type RpcMode, type ServerMiddleware, Status, statusName } from '@wirekit/core';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { logging } from '../logging/logging.js';
import { metrics } from '../metrics/metrics.js';
import { recovery } from '../recovery/recovery.js';
import { expectOneCallCounted, methodLabels, metricValue } from '../test-support/counted-call.js';
import { serveEcho } from '../test-support/echo-service.js';
import {
  callEnds,
  driveCall,
  expectedClientCode,
  expectedMessages,
  METHOD_OF_MODE,
  MODES,
  matrixHandlers,
  matrixProbe,
  SCENARIOS,
  type Scenario,
} from '../test-support/mode-matrix.js';
import { tracing } from '../tracing/tracing.js';

type Line = Record<string, unknown> & { readonly level: number; readonly msg: string };

const INFO = 30;
const WARN = 40;
const ERROR = 50;
const SERVICE = 'wirekit.test.v1.EchoService';

/** A pino logger writing its JSON lines into an array. */
function lineLogger() {
  const lines: Line[] = [];
  const logger = pino({ level: 'trace' }, { write: (text: string) => void lines.push(JSON.parse(text) as Line) });
  return { lines, logger };
}

/** The value of a counter or histogram series with these labels, or 0 when the series does not exist. */

function tracer() {
  const exporter = new InMemorySpanExporter();
  return { exporter, provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
}

function messageEventCount(span: ReadableSpan, type: 'SENT' | 'RECEIVED'): number {
  return span.events.filter((event) => event.name === 'message' && event.attributes?.['message.type'] === type).length;
}

const cells = MODES.flatMap((mode) => SCENARIOS.map((scenario) => ({ mode, scenario })));

describe('observing middleware in every mode, over a real server', () => {
  let running: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** Serves the matrix handlers behind `middleware`, with `callEnds` outermost; runs one call of the cell. */
  async function runCell(mode: RpcMode, scenario: Scenario, middleware: readonly ServerMiddleware[], transport?: 'tcp' | 'memory') {
    const probe = matrixProbe();
    const ends = callEnds();
    const served = await serveEcho({ middleware: [ends.middleware, ...middleware], implementation: matrixHandlers(probe), transport });
    running = served;
    const driven = await driveCall(served.client, mode, scenario, probe);
    const outcome = await ends.next();
    return { driven, outcome, probe, client: served.client };
  }

  it.each(cells)('logging: $mode, $scenario → one line with the code and the level of the outcome', async ({ mode, scenario }) => {
    const { lines, logger } = lineLogger();
    const { driven } = await runCell(mode, scenario, [logging({ logger })]);
    const code = expectedClientCode(scenario);
    expect(driven.code).toBe(code);
    const calls = lines.filter((line) => line.msg === 'call ended');
    expect(calls).toHaveLength(1);
    const { received, sent } = expectedMessages(mode, scenario);
    expect(calls[0]).toMatchObject({
      method: `/${SERVICE}/${METHOD_OF_MODE[mode]}`,
      mode,
      status: statusName(code),
      code,
      level: { normal: INFO, cancel: WARN, throw: ERROR, ignore: WARN }[scenario],
      messagesReceived: received,
      messagesSent: sent,
    });
    if (scenario === 'throw') expect(calls[0]?.err).toMatchObject({ type: 'TypeError', message: 'broke mid-call' });
  });

  it.each(cells)('metrics: $mode, $scenario → handled once under the outcome, messages counted', async ({ mode, scenario }) => {
    const registry = new Registry();
    await runCell(mode, scenario, [metrics({ registry })]);
    await expectOneCallCounted(registry, 'server', mode, scenario);
  });

  it.each(cells)('tracing: $mode, $scenario → span status and rpc.grpc.status_code from the outcome', async ({ mode, scenario }) => {
    const { exporter, provider } = tracer();
    await runCell(mode, scenario, [tracing({ tracerProvider: provider })]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual([`${SERVICE}/${METHOD_OF_MODE[mode]}`]);
    const span = spans[0] as ReadableSpan;
    const code = expectedClientCode(scenario);
    expect(span.attributes['rpc.grpc.status_code']).toBe(code);
    // CANCELLED is the client's doing, not a server error; a thrown bug (INTERNAL) is.
    expect(span.status.code).toBe(scenario === 'throw' ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    // The cancelled handler threw its signal's reason, so that is recorded too.
    expect(span.events.some((event) => event.name === 'exception')).toBe(scenario !== 'normal');
    if (mode !== 'unary') {
      const { received, sent } = expectedMessages(mode, scenario);
      expect({ received: messageEventCount(span, 'RECEIVED'), sent: messageEventCount(span, 'SENT') }).toEqual({ received, sent });
    }
  });

  it.each(cells)(
    'recovery: $mode, $scenario → INTERNAL for a thrown bug, the cause logged, the next call served',
    async ({ mode, scenario }) => {
      const { lines, logger } = lineLogger();
      const { driven, outcome, probe, client } = await runCell(mode, scenario, [recovery({ logger })]);
      expect(driven.code).toBe(expectedClientCode(scenario));
      const failures = lines.filter((line) => line.level === ERROR);
      if (scenario === 'throw') {
        // The middleware outside recovery sees an RpcError, not the TypeError; the cause went to the log only.
        expect(RpcError.is(outcome.thrown) && outcome.thrown.code).toBe(Status.INTERNAL);
        expect(failures).toHaveLength(1);
        expect(failures[0]).toMatchObject({
          method: `/${SERVICE}/${METHOD_OF_MODE[mode]}`,
          err: { type: 'TypeError', message: 'broke mid-call' },
        });
      } else {
        expect(outcome.code).toBe(expectedClientCode(scenario));
        expect(failures).toEqual([]);
      }
      if (scenario === 'cancel') expect(await probe.handlerAborted.promise).toMatchObject({ code: Status.CANCELLED });
      expect(await driveCall(client, mode, 'normal', matrixProbe())).toMatchObject({ code: Status.OK });
    },
  );

  // A handler that ignores its cancellation and answers anyway: the client never got the answer.
  describe.each(['tcp', 'memory'] as const)('a call cancelled while its handler ignored it and answered (%s)', (transport) => {
    it.each(['unary', 'client_streaming'] as const)('%s: logged, counted and traced as CANCELLED', async (mode) => {
      const { lines, logger } = lineLogger();
      const registry = new Registry();
      const { exporter, provider } = tracer();
      const middleware = [tracing({ tracerProvider: provider }), logging({ logger }), metrics({ registry })];
      const { driven, outcome, probe } = await runCell(mode, 'ignore', middleware, transport);
      expect(driven.code).toBe(Status.CANCELLED);
      // The handler did see the abort, and answered all the same.
      expect(await probe.handlerAborted.promise).toMatchObject({ code: Status.CANCELLED });
      expect(outcome).toMatchObject({ code: Status.CANCELLED, messagesSent: 1 });
      expect(lines.find((line) => line.msg === 'call ended')).toMatchObject({ status: 'CANCELLED', level: WARN });
      const labels = methodLabels(mode);
      expect(await metricValue(registry, 'grpc_server_handled_total', { ...labels, grpc_code: 'CANCELLED' })).toBe(1);
      expect(await metricValue(registry, 'grpc_server_handled_total', { ...labels, grpc_code: 'OK' })).toBe(0);
      expect(exporter.getFinishedSpans()[0]?.attributes['rpc.grpc.status_code']).toBe(Status.CANCELLED);
    });
  });
});
