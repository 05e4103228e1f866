import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error the extractor is a plain .mjs script without type declarations
import { extractSamples, markdownFiles, sampleHeader } from './extract-samples.mjs';

interface Sample {
  readonly name: string;
  readonly code: string;
  readonly run: boolean;
}

const docs = dirname(fileURLToPath(import.meta.url));
const root = join(docs, '..');

/** What samples must print, in order; samples not listed must simply run to the end. */
const EXPECTED_OUTPUT: Record<string, string[]> = {
  'readme-1.ts': ['Hello, Ada!', 'Hello #1, Grace', 'Hello #2, Grace', 'Hello, Alan and Barbara!', 'Nice to meet you, Edsger'],
  'decorators-1.ts': ['Hello, Ada (2030)'],
  'decorators-3.ts': ['Hello, all 2 of you'],
  'core-1.ts': ['Ada via /greeter.v1.Greeter/SayHello from 127.0.0.1, in time', 'r-1'],
  'core-2.ts': ['INVALID_ARGUMENT name is required', 'name'],
  'core-3.ts': ['SayHello OK, SayHelloStream ABORTED'],
  'testing-1.ts': ['in-memory test passed'],
  'testing-2.ts': [
    'shop/v1/shop.proto:3:1 FIELD_NO_DELETE_UNLESS_NAME_RESERVED Previously present field "2" with name "note" on message "Order" was deleted without reserving the name "note".',
  ],
  'types-1.ts': [
    'available from 2024-06-01T00:00:00.000Z',
    '3998 CATEGORY_TOOLS',
    '250000000',
    '0 undefined undefined',
    '{"weightKg":1.2,"colors":["red","black"],"recalled":null} 9007199254740993',
    'false',
  ],
  'types-2.ts': [
    '{"sku":"saw-2","priceCents":"9007199254740993","category":"CATEGORY_TOOLS","listedAt":"2024-05-01T12:00:00.250Z","warranty":"86400s","stock":0,"extras":[{"@type":"type.googleapis.com/catalog.v1.Promotion","code":"SPRING","percentOff":10}]}',
    '4999 CATEGORY_TOOLS 1500',
    '15',
    'catalog.v1.Product.warranty: expected a duration in seconds ("1.5s"), got number 90',
  ],
  'types-3.ts': ['true price_cents', 'lamp 2500 teal'],
  'types-4.ts': ['9223372036854775807', 'catalog.v1.Product.priceCents: expected a string of decimal digits, got string "12.5"'],
};

describe('code samples in the README and docs/', () => {
  afterEach(() => vi.restoreAllMocks());

  const all = (markdownFiles() as string[]).flatMap((file) => (extractSamples(file) as Sample[]).map((sample) => ({ file, sample })));

  it('finds the samples', () => {
    expect(all.map(({ sample }) => sample.name)).toContain('readme-1.ts');
  });

  it.each(all.map(({ file, sample }) => [sample.name, file, sample] as const))(
    '%s is extracted as written in the markdown',
    (name, file, sample) => {
      const path = join(docs, 'samples', name);
      expect(existsSync(path), `${name} is missing: run npm run generate`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${name} is stale: run npm run generate`).toBe(sampleHeader(relative(root, file)) + sample.code);
    },
  );

  it.each(all.filter(({ sample }) => sample.run).map(({ sample }) => [sample.name] as const))('%s runs to the end', async (name) => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    await import(/* @vite-ignore */ pathToFileURL(join(docs, 'samples', name)).href);
    const expected = EXPECTED_OUTPUT[name];
    if (expected) expect(printed).toEqual(expected);
  });
});
