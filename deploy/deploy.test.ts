import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClient, createApp, createClient, RpcError, Status } from '@wirekit/core';
import { metrics } from '@wirekit/middleware/metrics';
import { Ajv } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { Greeter } from '../docs/samples/gen/greeter.js';
import { KubernetesFields } from './kubernetes-fields.js';
import { metricNamesIn } from './promql-metric-names.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly body: Record<string, unknown>;
}

function readManifests(): Manifest[] {
  const directory = join(here, 'kubernetes');
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map(String).join('; ')}`);
        const body = document.toJS() as Record<string, unknown>;
        return { file, kind: String(body.kind), body };
      }),
    );
}

/** kubernetes-models' classes, which validate against the Kubernetes OpenAPI schemas. */
const MODELS: Readonly<Record<string, (body: Record<string, unknown>) => { validate(): void }>> = {
  Namespace: (body) => new Namespace(body as ConstructorParameters<typeof Namespace>[0]),
  Secret: (body) => new Secret(body as ConstructorParameters<typeof Secret>[0]),
  Service: (body) => new Service(body as ConstructorParameters<typeof Service>[0]),
  Deployment: (body) => new Deployment(body as ConstructorParameters<typeof Deployment>[0]),
  PodDisruptionBudget: (body) => new PodDisruptionBudget(body as ConstructorParameters<typeof PodDisruptionBudget>[0]),
};

describe('Kubernetes manifests', () => {
  const manifests = readManifests();
  const byName = (kind: string, name: string) => {
    const found = manifests.find((manifest) => manifest.kind === kind && (manifest.body.metadata as { name: string }).name === name);
    if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
    return found.body as never;
  };

  it('validate against the Kubernetes schemas and define no unknown field', () => {
    const fields = new KubernetesFields({
      Namespace: 'kubernetes-models/v1/Namespace',
      Secret: 'kubernetes-models/v1/Secret',
      Service: 'kubernetes-models/v1/Service',
      Deployment: 'kubernetes-models/apps/v1/Deployment',
      PodDisruptionBudget: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    });
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual([
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Secret',
      'Service',
      'Service',
    ]);
    for (const manifest of manifests) {
      const model = MODELS[manifest.kind];
      if (!model) throw new Error(`${manifest.file}: no model for kind ${manifest.kind}`);
      expect(() => model(manifest.body).validate(), manifest.file).not.toThrow();
      expect(fields.unknownFields(manifest.kind, manifest.body), manifest.file).toEqual([]);
    }
  });

  it('the unknown-field check finds a misspelt field, and the schema check a wrong type', () => {
    const fields = new KubernetesFields({ Deployment: 'kubernetes-models/apps/v1/Deployment' });
    const deployment = structuredClone(byName('Deployment', 'payments')) as { spec: Record<string, unknown> };
    deployment.spec.replica = 3;
    expect(fields.unknownFields('Deployment', deployment)).toEqual(['Deployment.spec.replica']);
    deployment.spec.replicas = 'three';
    expect(() => new Deployment(deployment as unknown as ConstructorParameters<typeof Deployment>[0]).validate()).toThrow(/replicas/);
  });

  it('the Deployment probes gRPC health, drains within its grace period and reads secrets from a Secret', () => {
    const deployment = byName('Deployment', 'payments') as DeploymentShape;
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    if (!container) throw new Error('no container');
    expect(deployment.spec.replicas).toBe(3);
    expect(container.readinessProbe.grpc).toEqual({ port: 50051, service: 'payments.v1.PaymentService' });
    expect(container.livenessProbe.grpc).toEqual({ port: 50051 });
    expect(container.ports.map((port) => port.containerPort).sort((a, b) => a - b)).toEqual([9464, 50051]);
    const env = new Map(container.env.map((variable) => [variable.name, variable]));
    expect(env.get('PAYMENTS_ADDR')?.value).toBe('0.0.0.0:50051');
    expect(env.get('PAYMENTS_METRICS_ADDR')?.value).toBe('0.0.0.0:9464');
    for (const secret of ['PAYMENTS_DB', 'PAYMENTS_API_TOKENS', 'PAYMENTS_JWT_SECRET']) {
      expect(env.get(secret)?.valueFrom?.secretKeyRef?.name, secret).toBe('payments-secrets');
    }
    // preStop, then the drain, then closing the store must all fit before SIGKILL.
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command.at(-1));
    const graceSeconds = Number(env.get('PAYMENTS_SHUTDOWN_GRACE_MS')?.value) / 1000;
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(preStopSeconds + graceSeconds + 5).toBeLessThanOrEqual(pod.terminationGracePeriodSeconds);
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
  });

  it('the headless Service publishes each pod for round_robin; the ClusterIP one has a virtual IP', () => {
    const headless = byName('Service', 'payments-headless') as ServiceShape;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports.find((port) => port.name === 'grpc')?.port).toBe(50051);
    const clusterIp = byName('Service', 'payments') as ServiceShape;
    expect(clusterIp.spec.type).toBe('ClusterIP');
    const podLabels = (byName('Deployment', 'payments') as DeploymentShape).spec.template.metadata.labels;
    for (const service of [headless, clusterIp]) {
      for (const [label, value] of Object.entries(service.spec.selector)) expect(podLabels[label]).toBe(value);
    }
  });
});

interface DeploymentShape {
  spec: {
    replicas: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds: number;
        containers: {
          ports: { containerPort: number }[];
          readinessProbe: { grpc: unknown };
          livenessProbe: { grpc: unknown };
          lifecycle: { preStop: { exec: { command: string[] } } };
          resources: { requests?: unknown; limits?: unknown };
          env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
        }[];
      };
    };
  };
}

interface ServiceShape {
  spec: { clusterIP?: string; type?: string; selector: Record<string, string>; ports: { name: string; port: number }[] };
}

describe('Envoy config', () => {
  const config = parseYaml(readFileSync(join(here, 'envoy/envoy.yaml'), 'utf8')) as EnvoyShape;
  const schema = JSON.parse(readFileSync(join(here, 'envoy/envoy-v3-subset.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it('matches the schema of the Envoy v3 fields it uses, which refuses unknown fields', () => {
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const misspelt = structuredClone(config);
    (misspelt.static_resources.clusters[0] as unknown as Record<string, unknown>).lb_polcy = 'ROUND_ROBIN';
    expect(validate(misspelt)).toBe(false);
  });

  it('balances per call over HTTP/2, checks gRPC health, retries UNAVAILABLE and bounds calls in time', () => {
    const [cluster] = config.static_resources.clusters;
    if (!cluster) throw new Error('no cluster');
    expect(['ROUND_ROBIN', 'LEAST_REQUEST']).toContain(cluster.lb_policy);
    expect(cluster.type).toBe('STRICT_DNS');
    const options = cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(options?.explicit_http_config.http2_protocol_options).toBeDefined();
    expect(cluster.health_checks[0]?.grpc_health_check.service_name).toBe('payments.v1.PaymentService');
    const address = cluster.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint.address.socket_address;
    expect(`${address?.address}:${address?.port_value}`).toBe('payments-headless.payments.svc.cluster.local:50051');

    const manager = config.static_resources.listeners[0]?.filter_chains[0]?.filters[0]?.typed_config;
    const routes = manager?.route_config.virtual_hosts[0]?.routes ?? [];
    const service = routes.filter(
      (route) => route.match.path?.startsWith('/payments.v1.') || route.match.prefix?.startsWith('/payments.v1.'),
    );
    expect(service.length).toBeGreaterThan(0);
    for (const route of service) {
      expect(route.route.cluster).toBe(cluster.name);
      expect(route.route.retry_policy?.retry_on.split(',')).toContain('unavailable');
      expect(route.route.timeout).toBeDefined();
      expect(route.route.max_stream_duration?.grpc_timeout_header_max).toBeDefined();
    }
  });
});

interface EnvoyShape {
  static_resources: {
    listeners: {
      filter_chains: {
        filters: {
          typed_config: {
            route_config: {
              virtual_hosts: {
                routes: {
                  match: { path?: string; prefix?: string };
                  route: {
                    cluster: string;
                    timeout?: string;
                    retry_policy?: { retry_on: string };
                    max_stream_duration?: { grpc_timeout_header_max?: string };
                  };
                }[];
              }[];
            };
          };
        }[];
      }[];
    }[];
    clusters: {
      name: string;
      type: string;
      lb_policy: string;
      typed_extension_protocol_options: Record<string, { explicit_http_config: { http2_protocol_options?: object } }>;
      health_checks: { grpc_health_check: { service_name: string } }[];
      load_assignment: {
        endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string; port_value: number } } } }[] }[];
      };
    }[];
  };
}

describe('Grafana dashboard', () => {
  interface Dashboard {
    panels: { title: string; targets: { expr: string }[] }[];
    templating: { list: { type: string; query?: string | { query: string } }[] };
  }
  const dashboard = JSON.parse(readFileSync(join(here, 'grafana/wirekit-dashboard.json'), 'utf8')) as Dashboard;

  it('queries only metrics that the metrics middleware registers', async () => {
    // A real server with the metrics middleware serves one call of each outcome; its registry then holds every
    // series the middleware makes.
    const registry = new Registry();
    const app = createApp({ middleware: [metrics({ registry })], health: false, reflection: false });
    app.addService(
      Greeter,
      {
        sayHello: async (request) => {
          if (request.name === '') throw new RpcError(Status.INVALID_ARGUMENT, 'name is required');
          return { message: `Hello, ${request.name}` };
        },
      },
      { allowUnimplemented: true },
    );
    const { address } = await app.listen('127.0.0.1:0');
    const client = createClient(Greeter, address);
    try {
      await client.sayHello({ name: 'Ada' });
      await expect(client.sayHello({ name: '' })).rejects.toThrow(/name is required/);
    } finally {
      closeClient(client);
      await app.close();
    }

    const exposed = new Map<string, readonly string[]>();
    for (const metric of await registry.getMetricsAsJSON()) {
      const labels = [...new Set(metric.values.flatMap((value) => Object.keys(value.labels)))];
      const names =
        String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric.name + suffix) : [metric.name];
      for (const name of names) exposed.set(name, labels);
    }
    expect([...exposed.keys()]).toContain('grpc_server_handled_total');

    const queries = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...dashboard.templating.list.flatMap((variable) =>
        variable.type === 'query' && typeof variable.query === 'object' ? [variable.query.query] : [],
      ),
    ];
    const used = new Set(queries.flatMap((query) => metricNamesIn(query)));
    expect(used.size).toBeGreaterThanOrEqual(5);
    for (const name of used) expect([...exposed.keys()], `the dashboard queries ${name}`).toContain(name);
  });

  it('has the panels the runbook points at', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const title of [
      'Request rate by method',
      'Error ratio by code',
      'Unary latency p50 / p90 / p99',
      'Stream messages per second',
      'In flight',
    ]) {
      expect(titles).toContain(title);
    }
  });

  it('the PromQL reader finds metric names and leaves functions, labels and keywords out', () => {
    expect(
      metricNamesIn(
        'sum by (grpc_code) (rate(a_total{job=~"$job", grpc_code!="OK"}[$__rate_interval])) / ignoring (grpc_code) group_left () sum(rate(b_total[5m]))',
      ),
    ).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le) (rate(c_bucket{x="y"}[1m])))')).toEqual(['c_bucket']);
    expect(metricNamesIn('label_values(d_total{job=~"$job"}, grpc_service)')).toEqual(['d_total']);
  });
});
