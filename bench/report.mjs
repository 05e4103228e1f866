// What a run reports: the machine it ran on, medians per mode and server, and the ratio to raw grpc-js computed
// within each round (the machine is noisy; servers measured back to back share its state) and then the median;
// the latency of unary calls; and each server's peak and final RSS.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const BASELINE = 'grpc-js';

/** The median; the mean of the middle two for an even count; null for none. */
export function median(values) {
  const sorted = values.filter((value) => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function versionOf(relativePath) {
  try {
    return JSON.parse(readFileSync(new URL(relativePath, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** The machine and software a run measured. */
export function describeMachine(pinned) {
  const cpus = os.cpus();
  return {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    grpcJs: versionOf('../node_modules/@grpc/grpc-js/package.json'),
    protoLoader: versionOf('../node_modules/@grpc/proto-loader/package.json'),
    wirekitCore: versionOf('../packages/core/package.json'),
    wirekitMiddleware: versionOf('../packages/middleware/package.json'),
    niceGrpc: versionOf('../node_modules/nice-grpc/package.json'),
    nestjsMicroservices: versionOf('../node_modules/@nestjs/microservices/package.json'),
    nestjsCore: versionOf('../node_modules/@nestjs/core/package.json'),
    pinned: pinned ? 'each server on core 0 (taskset -c 0), the load generator on core 1' : 'not pinned (no taskset or one core)',
  };
}

const MiB = 2 ** 20;

/**
 * One row per mode and server: totals, medians of the samples, medians of the within-round ratios, and for modes
 * counted in calls the median over the rounds of each round's p50 and p99 call latency (null for streams, whose
 * few long calls say nothing about latency).
 */
export function summarize(samples, servers, modes) {
  const rows = [];
  for (const mode of modes) {
    for (const server of servers) {
      const mine = samples.filter((sample) => sample.mode === mode.name && sample.server === server.name);
      const ratios = mine.map((sample) => {
        const base = samples.find((other) => other.mode === mode.name && other.server === BASELINE && other.round === sample.round);
        return {
          cpu: base?.cpuMicrosPerUnit ? sample.cpuMicrosPerUnit / base.cpuMicrosPerUnit : null,
          rate: base?.perSecond ? sample.perSecond / base.perSecond : null,
        };
      });
      rows.push({
        mode: mode.name,
        server: server.name,
        unit: mode.unit,
        rounds: mine.length,
        calls: mine.reduce((sum, sample) => sum + sample.calls, 0),
        messages: mine.reduce((sum, sample) => sum + sample.messages, 0),
        errors: mine.reduce((sum, sample) => sum + sample.errors, 0),
        firstError: mine.find((sample) => sample.firstError)?.firstError,
        medianServerCpuMicrosPerUnit: median(mine.map((sample) => sample.cpuMicrosPerUnit)),
        medianCpuRatioToGrpcJs: median(ratios.map((ratio) => ratio.cpu)),
        medianPerSecond: median(mine.map((sample) => sample.perSecond)),
        medianRateRatioToGrpcJs: median(ratios.map((ratio) => ratio.rate)),
        medianP50Micros: mode.unit === 'call' ? median(mine.map((sample) => sample.p50Micros)) : null,
        medianP99Micros: mode.unit === 'call' ? median(mine.map((sample) => sample.p99Micros)) : null,
        // RSS at the probe after the workload, and the highest seen during it.
        maxRssMiB: Math.max(...mine.map((sample) => sample.rssBytes)) / MiB,
        peakRssMiB: Math.max(...mine.map((sample) => sample.peakRssBytes ?? sample.rssBytes)) / MiB,
      });
    }
  }
  return rows;
}

/**
 * One row per server: the highest RSS seen over the whole run, warm-up included (every probe, and samples every
 * 100 ms between them), and the RSS at the last probe, after every round.
 */
export function summarizeMemory(samples, finalUsage, servers) {
  return servers.map(({ name }) => {
    const mine = samples.filter((sample) => sample.server === name);
    const last = finalUsage.find((usage) => usage.server === name);
    const peaks = [...mine.map((sample) => sample.peakRssBytes ?? sample.rssBytes), last?.peakRssBytes ?? 0, last?.rssBytes ?? 0];
    return { server: name, peakRssMiB: Math.max(...peaks) / MiB, finalRssMiB: last ? last.rssBytes / MiB : null };
  });
}

const fixed = (value, digits) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const millis = (micros) => (micros === null || micros === undefined ? '—' : (micros / 1000).toFixed(2));

/** The summary as a Markdown table (it reads in a terminal and pastes into docs/benchmarks.md). */
export function formatTable(rows, servers, modes) {
  const labelOf = (list, name) => list.find((item) => item.name === name)?.label ?? name;
  const lines = [
    '| mode | server | server CPU µs per unit | CPU × grpc-js | units/s | rate × grpc-js | p50 ms | p99 ms | peak RSS MiB | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${labelOf(modes, row.mode)} | ${labelOf(servers, row.server)} | ${fixed(row.medianServerCpuMicrosPerUnit, 2)} | ` +
        `${fixed(row.medianCpuRatioToGrpcJs, 2)} | ${fixed(row.medianPerSecond, 0)} | ${fixed(row.medianRateRatioToGrpcJs, 2)} | ` +
        `${millis(row.medianP50Micros)} | ${millis(row.medianP99Micros)} | ${fixed(row.peakRssMiB, 0)} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}

/** Each server's peak and final RSS as a Markdown table. */
export function formatMemoryTable(memory, servers) {
  const labelOf = (name) => servers.find((server) => server.name === name)?.label ?? name;
  const lines = ['| server | peak RSS MiB | final RSS MiB |', '|---|--:|--:|'];
  for (const row of memory) lines.push(`| ${labelOf(row.server)} | ${fixed(row.peakRssMiB, 0)} | ${fixed(row.finalRssMiB, 0)} |`);
  return lines.join('\n');
}
