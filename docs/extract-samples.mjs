// Writes every ```ts block of the README and of docs/*.md to docs/samples/, one module per block, so the
// type-check compiles them and samples.test.ts runs them. A block opened with ```ts no-run is compiled only;
// one opened with ```ts test is a vitest test file (`<name>.test.ts`), which vitest runs as its own file. A
// ```json block opened with a path (```json greeter-exchanges/hello.json) is a file such a test reads, written
// to docs/samples/ at that path.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = dirname(fileURLToPath(import.meta.url));
const samples = join(docs, 'samples');

/** The samples of one markdown file: `{ name, code, run }` for each ```ts block. */
export function extractSamples(markdownPath) {
  const markdown = readFileSync(markdownPath, 'utf8');
  const base =
    markdownPath.endsWith('README.md') && !markdownPath.includes('/docs/') ? 'readme' : markdownPath.split('/').pop().replace(/\.md$/, '');
  const found = [];
  const block = /^```ts( no-run| test)?\n([\s\S]*?)^```$/gm;
  for (let match = block.exec(markdown); match; match = block.exec(markdown)) {
    const test = match[1] === ' test';
    found.push({ name: `${base}-${found.length + 1}${test ? '.test' : ''}.ts`, code: match[2], run: match[1] === undefined });
  }
  return found;
}

/** The files of one markdown file that its test samples read: `{ path, content }` for each ```json <path> block. */
export function extractSampleFiles(markdownPath) {
  const markdown = readFileSync(markdownPath, 'utf8');
  const found = [];
  const block = /^```json ([\w./-]+)\n([\s\S]*?)^```$/gm;
  for (let match = block.exec(markdown); match; match = block.exec(markdown)) found.push({ path: match[1], content: match[2] });
  return found;
}

/** Every markdown file whose samples are checked. */
export function markdownFiles() {
  return [
    join(docs, '..', 'README.md'),
    ...readdirSync(docs)
      .filter((file) => file.endsWith('.md'))
      .sort()
      .map((file) => join(docs, file)),
  ];
}

export function sampleHeader(source) {
  return `// Extracted from ${source} by docs/extract-samples.mjs. Do not edit; edit the markdown.\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(samples, { recursive: true });
  for (const entry of readdirSync(samples, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) rmSync(join(samples, entry.name));
    // Every directory but the generated code holds files of ```json blocks, written again below.
    if (entry.isDirectory() && entry.name !== 'gen') rmSync(join(samples, entry.name), { recursive: true });
  }
  let count = 0;
  for (const file of markdownFiles()) {
    for (const sample of extractSamples(file)) {
      writeFileSync(join(samples, sample.name), sampleHeader(file.slice(join(docs, '..').length + 1)) + sample.code);
      count++;
    }
    for (const sampleFile of extractSampleFiles(file)) {
      mkdirSync(dirname(join(samples, sampleFile.path)), { recursive: true });
      writeFileSync(join(samples, sampleFile.path), sampleFile.content);
    }
  }
  console.log(`extracted ${count} samples into docs/samples`);
}
