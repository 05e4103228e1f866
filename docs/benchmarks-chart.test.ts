import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'wirekit-chart-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Two modes by three servers, one ratio far above the axis (drawn cut) and one missing (no bar).
const fixture = {
  quick: false,
  machine: { cpuCount: 2, cpuModel: 'Test CPU', node: 'v20.20.2' },
  settings: { rounds: 3, payloadBytes: 100 },
  servers: [
    { name: 'grpc-js', label: 'raw @grpc/grpc-js + proto-loader' },
    { name: 'wirekit', label: 'Wirekit <no middleware> & co' },
    { name: 'nestjs', label: 'NestJS gRPC microservice' },
  ],
  modes: [
    { name: 'unary-c64', label: 'unary C=64 (per call)', unit: 'call' },
    { name: 'server-stream', label: 'server streaming (per message)', unit: 'message' },
  ],
  summary: [
    { mode: 'unary-c64', server: 'grpc-js', medianCpuRatioToGrpcJs: 1 },
    { mode: 'unary-c64', server: 'wirekit', medianCpuRatioToGrpcJs: 1.04 },
    { mode: 'unary-c64', server: 'nestjs', medianCpuRatioToGrpcJs: 1.31 },
    { mode: 'server-stream', server: 'grpc-js', medianCpuRatioToGrpcJs: 1 },
    { mode: 'server-stream', server: 'wirekit', medianCpuRatioToGrpcJs: null },
    { mode: 'server-stream', server: 'nestjs', medianCpuRatioToGrpcJs: 10.53 },
  ],
};

/** The element names of `xml`, checked to open and close in order; throws at the first mismatch. */
function elementsOf(xml: string): string[] {
  const open: string[] = [];
  const names: string[] = [];
  for (const [tag, closing, name, selfClosing] of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
    if (name === undefined) throw new Error(`unreadable tag ${tag}`);
    if (closing) {
      const expected = open.pop();
      if (expected !== name) throw new Error(`</${name}> closes <${expected ?? 'nothing'}>`);
    } else {
      names.push(name);
      if (!selfClosing) open.push(name);
    }
  }
  if (open.length > 0) throw new Error(`unclosed: ${open.join(', ')}`);
  return names;
}

describe('bench/chart.mjs', () => {
  it('turns a results JSON into a well-formed SVG with one bar per ratio, axes, labels and a legend', async () => {
    const input = join(scratch, 'results.json');
    writeFileSync(input, JSON.stringify(fixture));
    await promisify(execFile)(process.execPath, ['bench/chart.mjs', input], { cwd: root, timeout: 30_000 });
    const svg = readFileSync(join(scratch, 'results.svg'), 'utf8');

    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Nothing outside the markup but whitespace, and every element closed in order.
    expect(svg.replace(/<[^<>]*>/g, '').includes('<')).toBe(false);
    const elements = elementsOf(svg);
    expect(elements[0]).toBe('svg');
    expect(elements.filter((name) => name === 'svg')).toHaveLength(1);
    // Five ratios, five bars: the missing one is drawn as "n/a".
    expect(elements.filter((name) => name === 'rect')).toHaveLength(5);
    expect(svg).toContain('n/a');

    for (const label of [
      'unary C=64',
      'server streaming',
      '(per message)',
      'raw @grpc/grpc-js + proto-loader',
      'NestJS gRPC microservice',
    ]) {
      expect(svg).toContain(label);
    }
    expect(svg).toContain('Wirekit &#60;no middleware&#62; &#38; co');
    expect(svg).toContain('server CPU per unit ÷ grpc-js');
    expect(svg).toContain('grpc-js = 1');
    expect(svg).toContain('1.31');
    // The bar far above the axis is cut, and still says its value.
    expect(svg).toContain('10.53');
    expect(svg).toContain('are cut');
  });
});
