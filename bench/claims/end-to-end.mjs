// Claims 3 and 4, end to end: Charge-then-GetPayment pairs against the three servers at each concurrency, in
// interleaved rounds (transport order rotated each round, after a warm-up at half the counts), each server
// reporting its own CPU time around each measurement. Ratios to gRPC are taken within each round and their
// median reported, as bench/run.mjs does, since calls per second move between rounds on a shared machine.
import { median } from '../report.mjs';
import { chargeAndGet } from './load.mjs';

const BASELINE = 'grpc';

/** One measurement: the workload against one transport at one concurrency, with the server's CPU time. */
async function measure(transport, concurrency, { pairs, keyPrefix, template }) {
  const client = transport.clientAt(concurrency);
  const before = await transport.server.usage();
  const clientBefore = process.cpuUsage();
  const result = await chargeAndGet(client, { pairs, concurrency, keyPrefix, template });
  const clientCpu = process.cpuUsage(clientBefore);
  const after = await transport.server.usage();
  const serverCpuMicros = after.cpuMicros - before.cpuMicros;
  return {
    ...result,
    callsPerSecond: result.calls / result.seconds,
    serverCpuMicrosPerCall: result.calls > 0 ? serverCpuMicros / result.calls : null,
    // The load generator's own CPU (this process does nothing else meanwhile): what the client side costs.
    clientCpuMicrosPerCall: result.calls > 0 ? (clientCpu.user + clientCpu.system) / result.calls : null,
    rssBytes: after.rss,
  };
}

/**
 * Runs `rounds` rounds over every transport and concurrency; `pairsAt(concurrency)` sizes each measurement.
 * Each transport is `{ name, server, clientAt(concurrency) }`.
 */
export async function measureEndToEnd(transports, { concurrencies, rounds, pairsAt, warmUp, template, progress }) {
  let measurement = 0;
  const keyPrefix = () => `k${measurement++}`;
  if (warmUp) {
    for (const concurrency of concurrencies) {
      for (const transport of transports) {
        await measure(transport, concurrency, { pairs: Math.ceil(pairsAt(concurrency) / 2), keyPrefix: keyPrefix(), template });
      }
    }
  }
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const order = transports.map((_, index) => transports[(index + round) % transports.length]);
    for (const concurrency of concurrencies) {
      for (const transport of order) {
        const sample = await measure(transport, concurrency, { pairs: pairsAt(concurrency), keyPrefix: keyPrefix(), template });
        samples.push({ round, transport: transport.name, concurrency, ...sample });
      }
    }
    progress?.(round);
  }
  return { samples, summary: summarize(samples, transports, concurrencies) };
}

function summarize(samples, transports, concurrencies) {
  const rows = [];
  for (const concurrency of concurrencies) {
    for (const { name } of transports) {
      const mine = samples.filter((sample) => sample.transport === name && sample.concurrency === concurrency);
      const within = (field) =>
        mine.map((sample) => {
          const base = samples.find(
            (other) => other.transport === BASELINE && other.concurrency === concurrency && other.round === sample.round,
          );
          return base?.[field] ? sample[field] / base[field] : null;
        });
      rows.push({
        transport: name,
        concurrency,
        rounds: mine.length,
        calls: mine.reduce((sum, sample) => sum + sample.calls, 0),
        errors: mine.reduce((sum, sample) => sum + sample.errors, 0),
        firstError: mine.find((sample) => sample.firstError)?.firstError,
        medianCallsPerSecond: median(mine.map((sample) => sample.callsPerSecond)),
        medianP50Ms: median(mine.map((sample) => sample.p50Ms)),
        medianP99Ms: median(mine.map((sample) => sample.p99Ms)),
        medianServerCpuMicrosPerCall: median(mine.map((sample) => sample.serverCpuMicrosPerCall)),
        medianClientCpuMicrosPerCall: median(mine.map((sample) => sample.clientCpuMicrosPerCall)),
        medianRateRatioToGrpc: median(within('callsPerSecond')),
        medianCpuRatioToGrpc: median(within('serverCpuMicrosPerCall')),
        maxRssMiB: Math.max(...mine.map((sample) => sample.rssBytes)) / 2 ** 20,
      });
    }
  }
  return rows;
}
