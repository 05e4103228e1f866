import { type Agent, request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics } from './serve-metrics.js';

/** One plain HTTP/1.1 request; through Node's global agent, the connection stays open as Prometheus keeps it. */
function send(
  port: number,
  method: string,
  path: string,
  agent?: Agent | false,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers: { connection: 'keep-alive' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(registry: Registry): Promise<MetricsServer> {
    server = await serveMetrics({ registry, host: '127.0.0.1', port: 0 });
    return server;
  }

  it('answers GET /metrics with the registry’s text and content type, on the port it picked', async () => {
    const registry = new Registry();
    new Counter({ name: 'grpc_server_started_total', help: 'RPCs started.', registers: [registry] }).inc(3);
    const { port, url } = await start(registry);
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}/metrics`);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('grpc_server_started_total 3');
    expect((await send(port, 'GET', '/metrics?name[]=x')).status).toBe(200);
  });

  it('answers HEAD without a body, 404 elsewhere, and 405 for other methods', async () => {
    const { port } = await start(new Registry());
    const head = await send(port, 'HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await send(port, 'GET', '/')).status).toBe(404);
    expect((await send(port, 'GET', '/metrics/extra')).status).toBe(404);
    const post = await send(port, 'POST', '/metrics');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 500 with the reason when a collector fails', async () => {
    const registry = new Registry();
    new Counter({
      name: 'broken_total',
      help: 'A collector that throws.',
      registers: [registry],
      collect() {
        throw new Error('the database is gone');
      },
    });
    const { port } = await start(registry);
    const response = await send(port, 'GET', '/metrics');
    expect(response.status).toBe(500);
    expect(response.body).toContain('the database is gone');
  });

  it('closes even while a scraper keeps its connection open, and a second close does nothing', async () => {
    const running = await start(new Registry());
    expect((await send(running.port, 'GET', '/metrics')).status).toBe(200);
    await running.close();
    await running.close();
    await expect(send(running.port, 'GET', '/metrics', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reports a port already in use', async () => {
    const first = await start(new Registry());
    await expect(serveMetrics({ registry: new Registry(), host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
