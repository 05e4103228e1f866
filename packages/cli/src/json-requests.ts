/**
 * Splits request data into JSON values: one, or several one after another (separated by whitespace or not,
 * one per line or not), as `grpcurl -d` takes them for client-streaming and bidi calls.
 *
 * @example
 * parseJsonRequests('{"a":1} {"a":2}\n{"a":3}'); // [{ a: 1 }, { a: 2 }, { a: 3 }]
 *
 * @throws SyntaxError naming the position of the value that does not parse.
 */
export function parseJsonRequests(text: string): unknown[] {
  const values: unknown[] = [];
  let start = -1;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (start < 0) {
      if (char === undefined || /\s/.test(char)) continue;
      if (char !== '{') throw new SyntaxError(`request data at offset ${index}: expected a JSON object, found "${char}"`);
      start = index;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) {
        values.push(parseOne(text.slice(start, index + 1), start));
        start = -1;
      }
    }
  }
  if (start >= 0) throw new SyntaxError(`request data at offset ${start}: the JSON object is not closed`);
  return values;
}

function parseOne(json: string, offset: number): unknown {
  try {
    return JSON.parse(json);
  } catch (error: unknown) {
    throw new SyntaxError(`request data at offset ${offset}: ${(error as Error).message}`);
  }
}
