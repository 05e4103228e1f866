import { context, metrics, propagation, trace } from '@opentelemetry/api';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { OnShutdown } from '@wirekit/core';

/**
 * Options of `startTelemetry`: the service's name, plus anything `NodeSDK` takes. Leave the exporters out to let
 * the standard `OTEL_*` environment variables choose them (OTLP over HTTP by default; `OTEL_TRACES_EXPORTER=none`
 * for no traces); pass `spanProcessors` or `traceExporter` to override them.
 */
export interface TelemetryOptions extends Partial<Omit<NodeSDKConfiguration, 'serviceName'>> {
  /** `service.name` of every span; it takes precedence over `OTEL_SERVICE_NAME`. */
  readonly serviceName: string;
}

/**
 * A started OpenTelemetry SDK. Give it to the app as a provider so that `app.close()` flushes the last spans
 * after the last call ended (`onShutdown`), or call `shutdown()` yourself. Made by `startTelemetry`.
 *
 * @example
 * const app = createApp({
 *   providers: [{ provide: Telemetry, useFactory: () => startTelemetry({ serviceName: 'payments' }) }],
 *   middleware: [tracing()],
 * });
 * await app.get(Telemetry); // starts it before the first call; app.close() flushes it
 */
export class Telemetry implements OnShutdown {
  readonly #stop: () => Promise<void>;
  #stopped: Promise<void> | undefined;

  /** @param stop flushes and stops the SDK; `startTelemetry` passes it. */
  constructor(stop: () => Promise<void>) {
    this.#stop = stop;
  }

  /**
   * Flushes what is buffered, stops the SDK, and unregisters the OpenTelemetry API's globals (tracer and meter
   * providers, propagator, context manager) so that nothing keeps using a stopped SDK and a later
   * `startTelemetry` starts afresh. Calling it again returns the same promise.
   */
  shutdown(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /** The app's shutdown hook: runs after every call ended, so the last spans are in the flush. */
  onShutdown(): Promise<void> {
    return this.shutdown();
  }
}

/**
 * Starts OpenTelemetry's Node SDK for a service: a tracer provider, the W3C trace context and baggage
 * propagator and an AsyncLocalStorage context manager, registered as the globals `tracing()` and
 * `clientTracing()` use by default, all configured by the standard `OTEL_*` environment variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_EXPORTER`, `OTEL_TRACES_SAMPLER`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_SDK_DISABLED`, ...). Metrics and logs follow `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` as the SDK
 * defines them. Requires the optional peer `@opentelemetry/sdk-node`.
 *
 * @example
 * const telemetry = await startTelemetry({ serviceName: 'payments' }); // before the first call
 * // ... serve ...
 * await telemetry.shutdown(); // flushes the last spans
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  // Loaded here rather than imported at the top: the SDK is an optional peer and large (an exporter for every
  // protocol), and a service that sets up OpenTelemetry itself imports this entry point for the middleware only.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK(options);
  sdk.start();
  // With OTEL_SDK_DISABLED the SDK registered nothing, so the globals are not ours to unregister.
  const registered = process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true';
  return new Telemetry(async () => {
    try {
      await sdk.shutdown();
    } finally {
      if (registered) {
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
      }
    }
  });
}
