/** PromQL words that are never metric names: aggregation keywords and modifiers. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects (as Grafana sends it, `$variables` included), in order of first
 * use. Label matchers (`{…}`), ranges (`[…]`), grouping clauses (`by (…)`, `on (…)`…), strings and function
 * names are left out; what remains are the selectors' metric names.
 */
export function metricNamesIn(query: string): string[] {
  const stripped = query
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    const [word, call] = [match[0], match[1]];
    // label_values(metric, label): the second argument is a label name, not a metric.
    if (call !== undefined || KEYWORDS.has(word.toLowerCase()) || names.includes(word)) continue;
    const before = stripped.slice(0, match.index);
    if (/label_values\s*\([^,)]*,\s*$/.test(before)) continue;
    names.push(word);
  }
  return names;
}
