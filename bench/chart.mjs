// The benchmark's chart: grouped bars of each server's CPU per call (or per streamed message) as a ratio to raw
// @grpc/grpc-js, one group per mode, with a line at 1.0. Hand-built SVG, so the docs need no plotting package.
// bench/run.mjs writes it beside the JSON it writes; by hand:
//
//   node bench/chart.mjs                          # docs/benchmarks.json -> docs/benchmarks.svg
//   node bench/chart.mjs results.json chart.svg
//
// Bars are the only <rect> elements (the legend's swatches are paths), so a test can count them.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WIDTH = 960;
const HEIGHT = 460;
const MARGIN = { top: 56, right: 88, bottom: 128, left: 72 };
// Ratios above this are drawn to the top of the axis with a break mark and their value, so that one slow
// server (NestJS streaming out costs ~10× grpc-js) does not flatten every other bar.
const DEFAULT_CAP = 4;
const COLOURS = ['#6b7280', '#2563eb', '#7c3aed', '#059669', '#dc2626', '#d97706', '#0891b2', '#db2777'];

/** Where the chart of the results in `jsonPath` goes: the same name with `.svg`. */
export function chartPathFor(jsonPath) {
  return jsonPath.endsWith('.json') ? `${jsonPath.slice(0, -'.json'.length)}.svg` : `${jsonPath}.svg`;
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const round = (value) => Math.round(value * 10) / 10;

/** The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8, 10… that is at least `value`. */
function niceCeiling(value) {
  const steps = [1, 1.5, 2, 3, 4, 5, 6, 8, 10];
  const scale = 10 ** Math.floor(Math.log10(Math.max(value, 1e-9)));
  return (steps.find((step) => step * scale >= value - 1e-9) ?? 10) * scale;
}

/** "server streaming (per message)" as two lines: the mode, then what it counts. */
function splitLabel(label) {
  const open = label.indexOf(' (');
  return open < 0 ? [label] : [label.slice(0, open), label.slice(open + 1)];
}

/**
 * The SVG of a report of bench/run.mjs (`servers`, `modes`, `summary` rows with `medianCpuRatioToGrpcJs`; `machine`
 * and `settings` for the caption when present). A missing ratio draws no bar, only "n/a".
 */
export function renderChart(report, { cap = DEFAULT_CAP } = {}) {
  const { servers, modes, summary } = report;
  const ratioOf = (mode, server) => summary.find((row) => row.mode === mode && row.server === server)?.medianCpuRatioToGrpcJs ?? null;
  const ratios = modes.flatMap((mode) => servers.map((server) => ratioOf(mode.name, server.name))).filter((ratio) => ratio !== null);
  const top = Math.min(cap, niceCeiling(Math.max(1.2, ...ratios) * 1.05));
  const tickStep = top <= 2 ? 0.25 : top <= 4 ? 0.5 : 1;

  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotHeight;
  const y = (ratio) => bottom - (Math.min(ratio, top) / top) * plotHeight;
  const groupWidth = plotWidth / modes.length;
  const barWidth = Math.min(28, (groupWidth * 0.8) / servers.length);
  const groupPadding = (groupWidth - barWidth * servers.length) / 2;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img">',
    '<title>Server CPU per unit, as a ratio to raw @grpc/grpc-js, per mode and server</title>',
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">` +
      'Server CPU per call or message, relative to raw @grpc/grpc-js (lower is better)</text>',
  ];
  const { machine, settings } = report;
  if (machine && settings) {
    const caption = `${machine.cpuCount} × ${machine.cpuModel}; Node ${machine.node}; ${settings.payloadBytes}-byte payloads; median of ${settings.rounds} within-round ratio${settings.rounds === 1 ? '' : 's'}${report.quick ? ' (quick run: not a speed)' : ''}`;
    parts.push(`<text x="${WIDTH / 2}" y="40" text-anchor="middle" font-size="11" fill="#4b5563">${escapeXml(caption)}</text>`);
  }

  // The y axis: grid lines and tick labels.
  for (let tick = 0; tick <= top + 1e-9; tick += tickStep) {
    const at = round(y(tick));
    parts.push(`<line x1="${MARGIN.left}" y1="${at}" x2="${WIDTH - MARGIN.right}" y2="${at}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${MARGIN.left - 8}" y="${at + 4}" text-anchor="end" fill="#374151">${tick.toFixed(tickStep < 0.5 ? 2 : 1)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#111827">` +
      'server CPU per unit ÷ grpc-js</text>',
  );

  // The bars, one group per mode.
  modes.forEach((mode, modeIndex) => {
    const groupLeft = MARGIN.left + modeIndex * groupWidth;
    servers.forEach((server, serverIndex) => {
      const ratio = ratioOf(mode.name, server.name);
      const x = round(groupLeft + groupPadding + serverIndex * barWidth);
      const centre = round(x + barWidth / 2);
      if (ratio === null) {
        parts.push(`<text x="${centre}" y="${bottom - 4}" text-anchor="middle" font-size="9" fill="#6b7280">n/a</text>`);
        return;
      }
      const barTop = round(y(ratio));
      const colour = COLOURS[serverIndex % COLOURS.length];
      parts.push(
        `<rect x="${x}" y="${barTop}" width="${round(barWidth - 2)}" height="${round(bottom - barTop)}" fill="${colour}">` +
          `<title>${escapeXml(`${server.label}, ${mode.label}: ${ratio.toFixed(2)} × grpc-js`)}</title></rect>`,
      );
      if (ratio > top) {
        // A break mark across the clipped bar.
        parts.push(
          `<path d="M${x - 1} ${barTop + 10} l${round(barWidth)} -5 M${x - 1} ${barTop + 15} l${round(barWidth)} -5" stroke="#ffffff" stroke-width="2"/>`,
        );
      }
      parts.push(`<text x="${centre}" y="${barTop - 4}" text-anchor="middle" font-size="9" fill="#111827">${ratio.toFixed(2)}</text>`);
    });
    const [first, second] = splitLabel(mode.label);
    const labelX = round(groupLeft + groupWidth / 2);
    parts.push(
      `<text x="${labelX}" y="${bottom + 18}" text-anchor="middle" fill="#111827">${escapeXml(first)}` +
        (second ? `<tspan x="${labelX}" dy="14" fill="#4b5563">${escapeXml(second)}</tspan>` : '') +
        '</text>',
    );
  });

  // The baseline, and the axes over the bars.
  const one = round(y(1));
  parts.push(`<line x1="${MARGIN.left}" y1="${one}" x2="${WIDTH - MARGIN.right}" y2="${one}" stroke="#111827" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${WIDTH - MARGIN.right + 6}" y="${one + 4}" font-size="11" fill="#111827">grpc-js = 1</text>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#111827"/>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" stroke="#111827"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 52}" text-anchor="middle" fill="#111827">mode</text>`);
  // The legend, in rows under the axis label.
  const columns = Math.min(servers.length, 3);
  const columnWidth = plotWidth / columns;
  servers.forEach((server, index) => {
    const left = round(MARGIN.left + (index % columns) * columnWidth);
    const rowY = bottom + 72 + Math.floor(index / columns) * 18;
    const colour = COLOURS[index % COLOURS.length];
    parts.push(`<path d="M${left} ${rowY - 10}h12v12h-12z" fill="${colour}"/>`);
    parts.push(`<text x="${left + 18}" y="${rowY}" fill="#111827">${escapeXml(server.label)}</text>`);
  });
  if (ratios.some((ratio) => ratio > top)) {
    const noteY = bottom + 72 + Math.ceil(servers.length / columns) * 18;
    parts.push(
      `<text x="${MARGIN.left}" y="${noteY}" font-size="11" fill="#4b5563">` +
        `Bars above ${top} are cut where the white marks cross them; the number over a bar is its ratio.</text>`,
    );
  }

  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? fileURLToPath(new URL('../docs/benchmarks.json', import.meta.url));
  const output = process.argv[3] ?? chartPathFor(input);
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, 'utf8'))));
  console.log(`chart: ${output}`);
}
