/**
 * `value` as JSON the way the repository's formatter (Biome) writes it: two-space indents, and arrays of numbers
 * or strings that fit on one line kept on it, so a benchmark run leaves lint clean. Ends with a newline.
 */
export function formatJson(value) {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\n\s+((?:-?[\d.e+-]+|"[^"\n]*")(?:,\n\s+(?:-?[\d.e+-]+|"[^"\n]*"))*)\n\s+\]/g,
    (whole, items) => {
      const line = `[${items.split(/,\n\s+/).join(', ')}]`;
      // Biome's line width is 140; a longer array stays one item per line.
      return line.length <= 100 ? line : whole;
    },
  );
  return `${text}\n`;
}
