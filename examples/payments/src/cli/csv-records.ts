import { StringDecoder } from 'node:string_decoder';

/** One record of a CSV file, with where it starts and how far the file had been read when it ended. */
export interface CsvRecord {
  readonly fields: readonly string[];
  /** The 1-based line of the file where the record starts (a quoted field may span lines). */
  readonly line: number;
  /** Bytes of the file read so far, for a progress bar. */
  readonly bytesRead: number;
  /** True for a record the file ended inside of, in an open quoted field. */
  readonly unterminated: boolean;
}

/**
 * The records of a CSV file read as chunks, lazily: RFC 4180 quoting (`"a, b"`, `""` for a quote, line breaks
 * inside quotes), LF, CRLF or CR line ends, a UTF-8 byte order mark dropped. Empty lines are skipped.
 *
 * @example
 * for await (const record of csvRecords(createReadStream('ledger.csv'))) console.log(record.line, record.fields);
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  let bytesRead = 0;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let quoteSeen = false; // a quote inside a quoted field: the end of the quotes, or the first of `""`
  let afterCr = false; // the last character was a CR ending a line, so a LF now belongs to it
  let line = 1;
  let recordLine = 1;
  let empty = true; // nothing of the current record seen yet
  let first = true;

  const endRecord = (unterminated: boolean): CsvRecord | undefined => {
    fields.push(field);
    const record = empty ? undefined : { fields, line: recordLine, bytesRead, unterminated };
    fields = [];
    field = '';
    empty = true;
    return record;
  };

  for await (const chunk of chunks) {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const records: CsvRecord[] = [];
    for (const char of text) {
      if (afterCr) {
        afterCr = false;
        if (char === '\n') continue;
      }
      if (quoteSeen) {
        quoteSeen = false;
        if (char === '"') {
          field += '"';
          continue;
        }
        quoted = false;
      }
      if (quoted) {
        if (char === '"') quoteSeen = true;
        else {
          field += char;
          if (char === '\n') line++;
        }
        continue;
      }
      if (empty) recordLine = line;
      if (char === '\n' || char === '\r') {
        const record = endRecord(false);
        if (record) records.push(record);
        line++;
        afterCr = char === '\r';
        continue;
      }
      empty = false;
      if (char === ',') {
        fields.push(field);
        field = '';
      } else if (char === '"' && field === '') quoted = true;
      else field += char;
    }
    yield* records;
  }
  field += decoder.end();
  const last = endRecord(quoted && !quoteSeen);
  if (last) yield last;
}
