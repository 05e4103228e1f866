import { type MethodDescriptor, type RpcMode, type Status, statusName } from '@wirekit/core';
import { Counter, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client';

/** A prom-client registry of either exposition format. */
export type MetricsRegistry = Registry | Registry<OpenMetricsContentType>;

/**
 * The latency buckets of go-grpc-prometheus (and Prometheus' client libraries), in seconds: the ones existing
 * dashboards and alerts were written against.
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

const METHOD_LABELS = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
const CODE_LABELS = [...METHOD_LABELS, 'grpc_code'] as const;
type MethodLabel = (typeof METHOD_LABELS)[number];
type CodeLabel = (typeof CODE_LABELS)[number];

/** `grpc_type` as go-grpc-prometheus spells it. */
const GRPC_TYPE: Readonly<Record<RpcMode, string>> = Object.freeze({
  unary: 'unary',
  client_streaming: 'client_stream',
  server_streaming: 'server_stream',
  bidi_streaming: 'bidi_stream',
});

/** The label values of one method, made once and reused by every call. */
export interface MethodLabels {
  readonly method: Readonly<Record<MethodLabel, string>>;
  /** By status code, filled as codes occur. */
  readonly byCode: Map<Status, Readonly<Record<CodeLabel, string>>>;
}

/**
 * The five metrics of one side of gRPC (`grpc_server_*` or `grpc_client_*`) on one registry, named and labelled
 * as go-grpc-prometheus names them. A metric the registry already has under the same name is reused, so two
 * middlewares (or two apps) can share a registry; it must be of the same kind with the same labels.
 */
export class GrpcMetrics {
  readonly #started: Counter<MethodLabel>;
  readonly #handled: Counter<CodeLabel>;
  readonly #received: Counter<MethodLabel>;
  readonly #sent: Counter<MethodLabel>;
  readonly #seconds: Histogram<CodeLabel>;
  // Keyed by descriptor, which the server and each client make once per method, so lookups never hash a string.
  readonly #labels = new WeakMap<MethodDescriptor, MethodLabels>();

  constructor(registry: MetricsRegistry, side: 'server' | 'client', buckets: readonly number[]) {
    const by = side === 'server' ? 'by the server' : 'by the client';
    this.#started = counter(registry, `grpc_${side}_started_total`, `RPCs started ${by}.`, METHOD_LABELS);
    this.#handled = counter(
      registry,
      `grpc_${side}_handled_total`,
      `RPCs ended ${by}, by status code, whether they succeeded or not.`,
      CODE_LABELS,
    );
    this.#received = counter(registry, `grpc_${side}_msg_received_total`, `Messages received ${by}, in every kind of RPC.`, METHOD_LABELS);
    this.#sent = counter(registry, `grpc_${side}_msg_sent_total`, `Messages sent ${by}, in every kind of RPC.`, METHOD_LABELS);
    this.#seconds = histogram(
      registry,
      `grpc_${side}_handling_seconds`,
      `Seconds from the start of an RPC to its end ${by}, by status code.`,
      buckets,
    );
  }

  labelsOf(method: MethodDescriptor): MethodLabels {
    let labels = this.#labels.get(method);
    if (!labels) {
      labels = {
        method: { grpc_type: GRPC_TYPE[method.mode], grpc_service: method.service, grpc_method: method.name },
        byCode: new Map(),
      };
      this.#labels.set(method, labels);
    }
    return labels;
  }

  started(labels: MethodLabels): void {
    this.#started.inc(labels.method);
  }

  received(labels: MethodLabels): void {
    this.#received.inc(labels.method);
  }

  sent(labels: MethodLabels): void {
    this.#sent.inc(labels.method);
  }

  handled(labels: MethodLabels, code: Status, seconds: number): void {
    let withCode = labels.byCode.get(code);
    if (!withCode) {
      withCode = { ...labels.method, grpc_code: statusName(code) };
      labels.byCode.set(code, withCode);
    }
    this.#handled.inc(withCode);
    this.#seconds.observe(withCode, seconds);
  }
}

function counter<L extends string>(registry: MetricsRegistry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return new Counter({ name, help, labelNames, registers: [registry] });
  if (!(existing instanceof Counter)) throw new Error(`the registry already has a metric named ${name}, and it is not a counter`);
  checkLabels(existing, name, labelNames);
  return existing as Counter<L>;
}

function histogram(registry: MetricsRegistry, name: string, help: string, buckets: readonly number[]): Histogram<CodeLabel> {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return new Histogram({ name, help, labelNames: CODE_LABELS, buckets: [...buckets], registers: [registry] });
  if (!(existing instanceof Histogram)) throw new Error(`the registry already has a metric named ${name}, and it is not a histogram`);
  checkLabels(existing, name, CODE_LABELS);
  return existing as Histogram<CodeLabel>;
}

function checkLabels(metric: object, name: string, expected: readonly string[]): void {
  // prom-client keeps the names on the instance but leaves them out of its types.
  const actual = (metric as { readonly labelNames?: readonly string[] }).labelNames ?? [];
  if (actual.length !== expected.length || expected.some((label) => !actual.includes(label))) {
    throw new Error(
      `the registry already has a metric named ${name} with the labels [${actual.join(', ')}], not [${expected.join(', ')}]; ` +
        'give the Wirekit metrics their own registry',
    );
  }
}
