// `npm run bench` runs every benchmark; `npm run bench -- claims` (or `framework`) runs one suite. Flags after
// the names (`--quick`, `--rounds 5`, …) go to every script of the suites chosen; give a suite name with flags
// only some scripts take (`--out`, `--size`).
//
//   npm run bench                      # the framework suite, then the claims (~20 minutes on 2 quiet cores)
//   npm run bench -- claims            # the claims only (docs/benchmarks.md, "The claims"), ~3 minutes
//   npm run bench -- --quick           # every suite, as a correctness check in seconds
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SUITES = {
  framework: ['in-memory-vs-tcp.mjs', 'codec.mjs', 'run.mjs', 'chain.mjs', 'memory.mjs'],
  claims: ['claims/run.mjs'],
};

const args = process.argv.slice(2);
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const names = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
const unknown = names.filter((name) => !Object.hasOwn(SUITES, name));
if (unknown.length > 0) {
  console.error(`bench: no suite named ${unknown.join(', ')}; the suites are ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

for (const name of names.length > 0 ? names : Object.keys(SUITES)) {
  for (const script of SUITES[name]) {
    const path = fileURLToPath(new URL(script, import.meta.url));
    console.error(`\nbench: node bench/${script} ${flags.join(' ')}`.trimEnd());
    const { status, signal } = spawnSync(process.execPath, [path, ...flags], { stdio: 'inherit' });
    if (status !== 0) {
      console.error(`bench: bench/${script} ${signal ? `was killed by ${signal}` : `exited with ${status}`}`);
      process.exit(status || 1);
    }
  }
}
