import { type RpcMode, statusName } from '@wirekit/core';
import type { Registry } from 'prom-client';
import { expect } from 'vitest';
import { expectedClientCode, expectedMessages, METHOD_OF_MODE, type Scenario } from './mode-matrix.js';

// Written out rather than imported from grpc-metrics.ts: the test pins the label values users' dashboards use.
const GRPC_TYPE: Readonly<Record<RpcMode, string>> = {
  unary: 'unary',
  server_streaming: 'server_stream',
  client_streaming: 'client_stream',
  bidi_streaming: 'bidi_stream',
};

/** The value of the series of `name` with `labels`, or 0 when there is none. */
export async function metricValue(registry: Registry, name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.find((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted))?.value ?? 0;
}

/** The go-grpc-prometheus labels of the echo service's rpc of `mode`. */
export function methodLabels(mode: RpcMode): Readonly<Record<string, string>> {
  return { grpc_type: GRPC_TYPE[mode], grpc_service: 'wirekit.test.v1.EchoService', grpc_method: METHOD_OF_MODE[mode] };
}

/**
 * Asserts that `registry` counted exactly one call of the matrix cell on `side`: started once, handled once under
 * the cell's code (and under no other code), and its messages each way.
 */
export async function expectOneCallCounted(
  registry: Registry,
  side: 'server' | 'client',
  mode: RpcMode,
  scenario: Scenario,
): Promise<void> {
  const method = methodLabels(mode);
  const prefix = `grpc_${side}`;
  expect(await metricValue(registry, `${prefix}_started_total`, method)).toBe(1);
  const code = statusName(expectedClientCode(scenario));
  expect(await metricValue(registry, `${prefix}_handled_total`, { ...method, grpc_code: code })).toBe(1);
  const handled = (await registry.getSingleMetric(`${prefix}_handled_total`)?.get())?.values ?? [];
  expect(handled.reduce((sum, series) => sum + series.value, 0)).toBe(1);
  // Counted from the server's side of the exchange: the client sends what the server receives, and the reverse.
  const { received, sent } = expectedMessages(mode, scenario);
  expect(await metricValue(registry, `${prefix}_msg_received_total`, method)).toBe(side === 'server' ? received : sent);
  expect(await metricValue(registry, `${prefix}_msg_sent_total`, method)).toBe(side === 'server' ? sent : received);
}
