import { describe, expect, it } from 'vitest';
import { csvRecords } from './csv-records.js';

async function parse(chunks: readonly (string | Buffer)[]) {
  const records = [];
  for await (const { fields, line, unterminated } of csvRecords(chunks)) records.push({ fields, line, unterminated });
  return records;
}

describe('csvRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF, LF and CR line ends', async () => {
    expect(await parse(['a,"b, c"\r\n"say ""hi""",x\n"multi\nline",y\rlast,'])).toEqual([
      { fields: ['a', 'b, c'], line: 1, unterminated: false },
      { fields: ['say "hi"', 'x'], line: 2, unterminated: false },
      { fields: ['multi\nline', 'y'], line: 3, unterminated: false },
      { fields: ['last', ''], line: 5, unterminated: false },
    ]);
  });

  it('gives the same records whatever the chunk boundaries, even inside a CRLF, a "" or a UTF-8 character', async () => {
    const text = '\uFEFFé,"x ""y"""\r\n\r\n"a,\r\nb",ü\r\n';
    const bytes = Buffer.from(text);
    const whole = await parse([bytes]);
    expect(whole).toEqual([
      { fields: ['é', 'x "y"'], line: 1, unterminated: false },
      { fields: ['a,\r\nb', 'ü'], line: 3, unterminated: false },
    ]);
    for (let size = 1; size <= 4; size++) {
      const chunks: Buffer[] = [];
      for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
      expect(await parse(chunks)).toEqual(whole);
    }
  });

  it('marks a record the file ends inside an open quote, and counts the bytes read', async () => {
    expect(await parse(['a,b\n"open,c'])).toEqual([
      { fields: ['a', 'b'], line: 1, unterminated: false },
      { fields: ['open,c'], line: 2, unterminated: true },
    ]);
    const bytesRead = [];
    for await (const record of csvRecords(['a\n', 'bé\n'])) bytesRead.push(record.bytesRead);
    expect(bytesRead).toEqual([2, 6]);
  });
});
