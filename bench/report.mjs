// What a run reports: the machine it ran on, medians per mode and server, and the ratio to raw grpc-js computed
// within each round (the machine is noisy; servers measured back to back share its state) and then the median.
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
    pinned: pinned ? 'each server on core 0 (taskset -c 0), the load generator on core 1' : 'not pinned (no taskset or one core)',
  };
}

/** One row per mode and server: totals, medians of the samples, and medians of the within-round ratios. */
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
        maxRssMiB: Math.max(...mine.map((sample) => sample.rssBytes)) / 2 ** 20,
      });
    }
  }
  return rows;
}

const fixed = (value, digits) => (value === null ? '—' : value.toFixed(digits));

/** The summary as a Markdown table (it reads in a terminal and pastes into docs/benchmarks.md). */
export function formatTable(rows, servers, modes) {
  const labelOf = (list, name) => list.find((item) => item.name === name)?.label ?? name;
  const lines = [
    '| mode | server | server CPU µs per unit | CPU × grpc-js | units/s | rate × grpc-js | max RSS MiB | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${labelOf(modes, row.mode)} | ${labelOf(servers, row.server)} | ${fixed(row.medianServerCpuMicrosPerUnit, 2)} | ` +
        `${fixed(row.medianCpuRatioToGrpcJs, 2)} | ${fixed(row.medianPerSecond, 0)} | ${fixed(row.medianRateRatioToGrpcJs, 2)} | ` +
        `${row.maxRssMiB.toFixed(0)} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}
