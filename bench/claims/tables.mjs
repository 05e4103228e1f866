// The claims run as Markdown tables: they read in a terminal and paste into docs/benchmarks.md.

const fixed = (value, digits) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const grouped = (value) => (value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US'));
const times = (value) => (value === null || value === undefined ? '—' : `${value.toFixed(2)}×`);

/** Bytes per encoding, and JSON's size as a multiple of protobuf's. */
export function sizesTable(rows) {
  const lines = [
    '| message | protobuf B | JSON B | JSON + gzip B | protobuf + gzip B | JSON ÷ protobuf | JSON+gzip ÷ protobuf |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${grouped(row.protobufBytes)} | ${grouped(row.jsonBytes)} | ${grouped(row.jsonGzipBytes)} | ` +
        `${grouped(row.protobufGzipBytes)} | ${times(row.jsonToProtobuf)} | ${times(row.jsonGzipToProtobuf)} |`,
    );
  }
  return lines.join('\n');
}

/** Messages per second per operation; "protobuf ÷ JSON" above 1 means protobuf is faster. */
export function codecSpeedTable({ rows }) {
  const lines = [
    '| message | protobuf encode/s | JSON.stringify/s | encode: protobuf ÷ JSON | protobuf decode/s | JSON.parse/s | decode: protobuf ÷ JSON |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const rate = row.messagesPerSecond;
    lines.push(
      `| ${row.label} | ${grouped(rate['protobuf-encode'])} | ${grouped(rate['json-encode'])} | ${times(row.protobufOverJson.encode)} | ` +
        `${grouped(rate['protobuf-decode'])} | ${grouped(rate['json-decode'])} | ${times(row.protobufOverJson.decode)} |`,
    );
  }
  return lines.join('\n');
}

/** The same comparison with the canonical-JSON mapping a typed REST server also runs, and the protobufjs floor. */
export function codecMappingTable({ rows }) {
  const lines = [
    '| message | stringify(toJson(x))/s | protobuf ÷ that | fromJson(parse(s))/s | protobuf ÷ that | raw protobufjs encode ÷ JSON.stringify | raw protobufjs decode ÷ JSON.parse |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const rate = row.messagesPerSecond;
    const ratio = row.protobufOverJson;
    lines.push(
      `| ${row.label} | ${grouped(rate['json-mapped-encode'])} | ${times(ratio.encodeWithMapping)} | ${grouped(rate['json-mapped-decode'])} | ` +
        `${times(ratio.decodeWithMapping)} | ${times(ratio.rawProtobufjsEncode)} | ${times(ratio.rawProtobufjsDecode)} |`,
    );
  }
  return lines.join('\n');
}

/** Calls per second, latency and server CPU per call, per transport at each concurrency. */
export function endToEndTable(rows, transports) {
  const labelOf = (name) => transports.find((transport) => transport.name === name)?.label ?? name;
  const lines = [
    '| C | server | calls/s | × gRPC | p50 ms | p99 ms | server CPU µs/call | CPU × gRPC | client CPU µs/call | errors |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.concurrency} | ${labelOf(row.transport)} | ${grouped(row.medianCallsPerSecond)} | ${fixed(row.medianRateRatioToGrpc, 2)} | ` +
        `${fixed(row.medianP50Ms, 2)} | ${fixed(row.medianP99Ms, 2)} | ${fixed(row.medianServerCpuMicrosPerCall, 1)} | ` +
        `${fixed(row.medianCpuRatioToGrpc, 2)} | ${fixed(row.medianClientCpuMicrosPerCall, 1)} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}

/** Fast calls around one slow call on one client. */
export function headOfLineTable(rows, delayMs) {
  const lines = [
    `| client (one slow call of ${delayMs} ms among fast ones) | fast calls done while the slow one was in flight | first fast call ms | fast p50 ms | fast max ms | slow call ms |`,
    '|---|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${fixed(row.medianFastCallsWhileSlowInFlight, 0)} | ${fixed(row.medianFirstFastMs, 2)} | ${fixed(row.p50FastMs, 2)} | ` +
        `${fixed(row.maxFastMs, 1)} | ${fixed(row.medianSlowMs, 1)} |`,
    );
  }
  return lines.join('\n');
}
