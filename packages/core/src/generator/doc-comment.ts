/**
 * A JSDoc block for a proto comment (and extra lines such as `@deprecated`), indented, or `''` when there is
 * nothing to say. protobufjs hands comments over without their comment markers.
 */
export function docComment(text: string | null | undefined, indent: string, extra: readonly string[] = []): string {
  const lines = [...(text ?? '').split('\n').map((line) => line.trimEnd()), ...extra];
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return '';
  // A `*/` inside the text would end the block early.
  const safe = lines.map((line) => line.replaceAll('*/', '*\\/'));
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((line) => (line === '' ? `${indent} *` : `${indent} * ${line}`)).join('\n')}\n${indent} */\n`;
}
