// The claims chart, as a hand-built SVG (no dependency): three panels of horizontal bars.
//   1. size: JSON and gzipped JSON as a multiple of protobuf, per message (the claim: ~7×);
//   2. speed: protobuf's rate as a multiple of JSON's, encode and decode, per message (the claim: ~5×);
//   3. calls per second per transport at each concurrency.
// A dashed line marks 1× in the first two panels: right of it, the claim's direction holds.

const WIDTH = 760;
const LABEL = 250;
const BAR_AREA = WIDTH - LABEL - 80;
const BAR = 14;
const GAP = 4;
const COLORS = ['#3b6ea5', '#e0a030', '#5a9e5a', '#b05050'];

const xmlText = (text) => String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** One panel: groups of bars (one bar per series), scaled to the largest value or `scaleMax`. */
function panel({ title, groups, series, format, y, scaleMax, oneLine }) {
  const max = scaleMax ?? Math.max(...groups.flatMap((group) => group.values.filter((value) => value !== null)), 1);
  const parts = [`<text x="10" y="${y + 16}" font-weight="bold">${xmlText(title)}</text>`];
  let top = y + 28;
  series.forEach((name, index) => {
    const x = LABEL + index * 190;
    parts.push(`<rect x="${x}" y="${top}" width="10" height="10" fill="${COLORS[index]}"/>`);
    parts.push(`<text x="${x + 14}" y="${top + 9}" font-size="11">${xmlText(name)}</text>`);
  });
  top += 20;
  const start = top;
  for (const group of groups) {
    parts.push(
      `<text x="${LABEL - 8}" y="${top + (group.values.length * (BAR + GAP)) / 2 + 3}" text-anchor="end">${xmlText(group.label)}</text>`,
    );
    group.values.forEach((value, index) => {
      const width = value === null ? 0 : Math.max(1, (Math.min(value, max) / max) * BAR_AREA);
      parts.push(`<rect x="${LABEL}" y="${top}" width="${width.toFixed(1)}" height="${BAR}" fill="${COLORS[index]}"/>`);
      parts.push(
        `<text x="${LABEL + width + 4}" y="${top + BAR - 3}" font-size="11">${xmlText(value === null ? '—' : format(value))}</text>`,
      );
      top += BAR + GAP;
    });
    top += 8;
  }
  if (oneLine) {
    const x = LABEL + (1 / max) * BAR_AREA;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${start - 4}" x2="${x.toFixed(1)}" y2="${top - 6}" stroke="#444" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${top + 6}" font-size="10" text-anchor="middle">1×</text>`);
    top += 10;
  }
  return { svg: parts.join('\n'), bottom: top };
}

/** The chart of a full claims report (`bench/claims/run.mjs` output). */
export function renderChart(report) {
  const ratio = (value) => `${value.toFixed(2)}×`;
  const sizes = panel({
    title: 'Size: JSON bytes ÷ protobuf bytes (above 1×: protobuf smaller; the claim is ~7×)',
    series: ['JSON', 'JSON + gzip'],
    groups: report.sizes.map((row) => ({ label: row.label, values: [row.jsonToProtobuf, row.jsonGzipToProtobuf] })),
    format: ratio,
    y: 10,
    oneLine: true,
  });
  const speed = panel({
    title: 'Speed: protobuf messages/s ÷ JSON messages/s (above 1×: protobuf faster; the claim is ~5×)',
    series: ['encode vs JSON.stringify', 'decode vs JSON.parse'],
    groups: report.codecSpeed.rows.map((row) => ({ label: row.label, values: [row.protobufOverJson.encode, row.protobufOverJson.decode] })),
    format: ratio,
    y: sizes.bottom + 14,
    oneLine: true,
  });
  const { transports, concurrencies, summary } = report.endToEnd;
  const calls = panel({
    title: 'End to end: Charge + GetPayment calls per second (higher is better)',
    series: transports.map((transport) => transport.short),
    groups: concurrencies.map((concurrency) => ({
      label: `C=${concurrency}`,
      values: transports.map(
        (transport) =>
          summary.find((row) => row.transport === transport.name && row.concurrency === concurrency)?.medianCallsPerSecond ?? null,
      ),
    })),
    format: (value) => Math.round(value).toLocaleString('en-US'),
    y: speed.bottom + 14,
  });
  const height = calls.bottom + 30;
  const note = `${report.machine.cpuCount} × ${report.machine.cpuModel}; Node ${report.machine.node}; medians of ${report.settings.codecRounds} codec rounds and ${report.settings.endToEndRounds} end-to-end rounds`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<title>Protobuf against JSON on the payments messages (size and speed ratios), and calls per second per transport</title>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    sizes.svg,
    speed.svg,
    calls.svg,
    `<text x="10" y="${height - 10}" font-size="10" fill="#555">${xmlText(note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
