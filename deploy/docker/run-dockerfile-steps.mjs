#!/usr/bin/env node
// Runs deploy/docker/Dockerfile's steps without Docker, on this machine, in a scratch directory:
//   node deploy/docker/run-dockerfile-steps.mjs [--keep] [scratch-dir]
//
// 1. The build context is the repository filtered by its .dockerignore (as `docker build` would send it).
// 2. Each stage gets its own root directory; WORKDIR, ENV, COPY (from the context or `--from` a stage) and RUN
//    are carried out in it, RUN with `sh -c` in the stage's WORKDIR.
// 3. The last stage's CMD starts the server (on free loopback ports, with a SQLite file in the scratch dir), a
//    gRPC health check must answer SERVING, then SIGTERM must make the process exit 0.
//
// What this does not reproduce: the base images (the host's node and compilers stand in for node:20-bookworm
// and node:20-bookworm-slim), layer caching, and EXPOSE. USER is applied to the CMD (with setpriv) only when
// this script runs as root, as CI does; otherwise the CMD runs as whoever runs the script.
// RUN commands must not use absolute paths, since the stage root is a directory here, not `/`.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dockerfile = join(repo, 'deploy/docker/Dockerfile');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const scratch = args.find((arg) => !arg.startsWith('--')) ?? mkdtempSync(join(tmpdir(), 'wirekit-dockerfile-'));

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function parseDockerfile(text) {
  const instructions = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = '';
    const match = /^(\w+)\s+(.*)$/.exec(full);
    if (!match) throw new Error(`cannot parse Dockerfile line: ${full}`);
    instructions.push({ keyword: match[1].toUpperCase(), rest: match[2].trim() });
  }
  return instructions;
}

/** .dockerignore patterns as regular expressions over slash-separated paths relative to the context. */
function readDockerignore(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      if (pattern.startsWith('!')) throw new Error(`.dockerignore exceptions (${pattern}) are not supported by this script`);
      const clean = posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '');
      let source = '';
      for (let index = 0; index < clean.length; index++) {
        const char = clean[index];
        if (clean.startsWith('**/', index)) {
          source += '(?:.*/)?';
          index += 2;
        } else if (clean.startsWith('**', index)) {
          source += '.*';
          index += 1;
        } else if (char === '*') source += '[^/]*';
        else if (char === '?') source += '[^/]';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return new RegExp(`^${source}$`);
    });
}

/** Copies the repository into `target` as `docker build` would send it: without what .dockerignore excludes. */
function copyContext(target) {
  const ignored = readDockerignore(join(repo, '.dockerignore'));
  const walk = (relative) => {
    for (const entry of readdirSync(join(repo, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (ignored.some((pattern) => pattern.test(path))) continue;
      if (entry.isDirectory()) walk(path);
      else {
        mkdirSync(join(target, relative), { recursive: true });
        cpSync(join(repo, path), join(target, path), { verbatimSymlinks: true });
      }
    }
  };
  walk('');
}

/** Docker's COPY: a directory's contents go into the destination; a destination ending in / is a directory. */
function copy(sources, destination) {
  const intoDirectory = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (!existsSync(source)) throw new Error(`COPY: ${source} does not exist`);
    const isDirectory = lstatSync(source).isDirectory();
    const target = intoDirectory && !isDirectory ? join(destination, posix.basename(source)) : destination;
    mkdirSync(isDirectory ? target : dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true, verbatimSymlinks: true, force: true });
  }
}

function parseEnv(rest) {
  const pairs = {};
  for (const match of rest.matchAll(/(\w+)=("[^"]*"|\S*)/g)) pairs[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  return pairs;
}

function log(message) {
  process.stdout.write(`${message}\n`);
}

const context = join(scratch, 'context');
mkdirSync(context, { recursive: true });
copyContext(context);
log(`context: ${context} (${readdirSync(context).join(', ')})`);

const stages = [];
let stage;
for (const { keyword, rest } of parseDockerfile(readFileSync(dockerfile, 'utf8'))) {
  switch (keyword) {
    case 'FROM': {
      const [image, as, name] = rest.split(/\s+/);
      const root = join(scratch, `stage-${stages.length}`);
      mkdirSync(root, { recursive: true });
      stage = {
        name: as?.toUpperCase() === 'AS' ? name : String(stages.length),
        image,
        root,
        workdir: '/',
        env: {},
        cmd: undefined,
        user: undefined,
      };
      stages.push(stage);
      log(`FROM ${image} (stage ${stage.name}, root ${root})`);
      break;
    }
    case 'WORKDIR':
      stage.workdir = posix.resolve(stage.workdir, rest);
      mkdirSync(join(stage.root, stage.workdir), { recursive: true });
      break;
    case 'ENV':
      Object.assign(stage.env, parseEnv(rest));
      break;
    case 'COPY': {
      const words = rest.split(/\s+/);
      const fromFlag = words.find((word) => word.startsWith('--from='));
      const paths = words.filter((word) => !word.startsWith('--'));
      const destination = paths.pop();
      const from = fromFlag ? stages.find((candidate) => candidate.name === fromFlag.slice('--from='.length)) : undefined;
      if (fromFlag && !from) throw new Error(`COPY ${fromFlag}: no such stage`);
      const base = from ? from.root : context;
      const sources = paths.map((path) => join(base, from ? path : posix.normalize(path)));
      const target = join(stage.root, posix.resolve(stage.workdir, destination)) + (destination.endsWith('/') ? '/' : '');
      log(`COPY ${rest}`);
      copy(sources, target);
      break;
    }
    case 'RUN': {
      log(`RUN ${rest}`);
      const started = Date.now();
      const result = spawnSync('sh', ['-c', rest], {
        cwd: join(stage.root, stage.workdir),
        env: { ...process.env, ...stage.env },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (result.status !== 0) throw new Error(`RUN ${rest} failed with ${result.status ?? result.signal}`);
      log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      break;
    }
    case 'CMD':
      stage.cmd = JSON.parse(rest);
      break;
    case 'USER':
      stage.user = rest;
      break;
    case 'EXPOSE':
    case 'ARG':
    case 'LABEL':
      break;
    default:
      throw new Error(`unsupported Dockerfile instruction ${keyword}`);
  }
}

const runtime = stages.at(-1);
if (!Array.isArray(runtime.cmd)) throw new Error('the last stage has no CMD in exec form');
// What the runtime image holds besides node: nothing from the build stage's sources, no dev dependencies.
const runtimeApp = join(runtime.root, '/app');
for (const absent of ['packages/core/src', 'examples/payments/src', 'node_modules/typescript', 'node_modules/vitest']) {
  if (existsSync(join(runtimeApp, absent))) throw new Error(`the runtime stage should not contain ${absent}`);
}
log(`runtime stage ${runtime.name}: ${readdirSync(join(runtimeApp, 'node_modules')).length} packages in node_modules`);

const dataDir = join(scratch, 'data');
mkdirSync(dataDir, { recursive: true });
const env = {
  PATH: process.env.PATH,
  HOME: dataDir,
  ...runtime.env,
  // Free loopback ports instead of 0.0.0.0:50051, so the check never collides with another process.
  PAYMENTS_ADDR: '127.0.0.1:0',
  PAYMENTS_METRICS_ADDR: '127.0.0.1:0',
  PAYMENTS_DB: join(dataDir, 'payments.db'),
  PAYMENTS_API_TOKENS: 'dockerfile-steps-check-token',
  PAYMENTS_SHUTDOWN_GRACE_MS: '2000',
};
// USER uid:gid, applied when this runs as root: the scratch tree must then be readable, and the data directory
// writable, by that user, as the image's would be.
const [uid, gid] = (runtime.user ?? '').split(':').map(Number);
const asUser = process.getuid?.() === 0 && Number.isInteger(uid) && existsSync('/usr/bin/setpriv');
if (asUser) {
  chmodSync(scratch, 0o755);
  chownSync(dataDir, uid, Number.isInteger(gid) ? gid : uid);
}
log(
  `CMD ${JSON.stringify(runtime.cmd)} in ${runtime.workdir}, ${asUser ? `as USER ${runtime.user}` : `USER ${runtime.user ?? 'root'} not applied (not root)`}`,
);
const [command, ...commandArgs] = asUser
  ? ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${Number.isInteger(gid) ? gid : uid}`, '--clear-groups', '--', ...runtime.cmd]
  : runtime.cmd;
const server = spawn(command, commandArgs, { cwd: join(runtime.root, runtime.workdir), env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const exited = new Promise((resolveExit) => server.once('exit', (code, signal) => resolveExit({ code, signal })));
const address = await new Promise((resolveAddress, reject) => {
  const onData = (chunk) => {
    output += chunk;
    const match = /listening on (\S+)/.exec(output);
    if (match) resolveAddress(match[1]);
  };
  server.stdout.setEncoding('utf8').on('data', onData);
  server.stderr.setEncoding('utf8').on('data', onData);
  exited.then(({ code, signal }) => reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output}`)));
});
log(`server listening on ${address}`);

// grpc.health.v1.Health/Check with an empty request (service ""); the response's field 1 is the status, and
// SERVING is 1. @grpc/grpc-js comes from the repository's own install, not from the image.
const grpc = createRequire(join(repo, 'package.json'))('@grpc/grpc-js');
const client = new grpc.Client(address, grpc.credentials.createInsecure());
const status = await new Promise((resolveStatus, reject) => {
  client.makeUnaryRequest(
    '/grpc.health.v1.Health/Check',
    () => Buffer.alloc(0),
    (bytes) => bytes,
    {},
    { deadline: Date.now() + 10_000 },
    (error, response) => (error ? reject(error) : resolveStatus(response[0] === 0x08 ? response[1] : 0)),
  );
});
client.close();
const statusName = { 0: 'UNKNOWN', 1: 'SERVING', 2: 'NOT_SERVING' }[status] ?? String(status);
log(`health check: ${statusName}`);

server.kill('SIGTERM');
const { code, signal } = await exited;
log(`after SIGTERM the server exited with ${code ?? signal}`);
if (!keep) rmSync(scratch, { recursive: true, force: true });
if (statusName !== 'SERVING' || code !== 0) {
  process.stdout.write(output);
  process.exit(1);
}
log('OK: the Dockerfile steps built the service, its CMD served SERVING health, and SIGTERM stopped it with 0');
