// Benchmark servers, each in its own Node process, as bench/run.mjs and the claims' end-to-end runs start them:
// pinned to core 0 when `pinned` (the load generator then runs on core 1), reporting their port once they listen
// and their own CPU time and RSS on request over IPC (bench/servers/report-usage.mjs).
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** Pins this process (every thread) to core 1 when there are two cores and taskset; says whether it did. */
export function pinLoadGenerator() {
  return os.cpus().length >= 2 && spawnSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the server script `file` (a path, or relative to bench/) with `args` and `env` added to this process's
 * environment, and resolves once it listens: its port, a usage probe (`{ cpuMicros, rss, peakRss }`), and a stop.
 * Every child is added to `children`, so a run that overruns can kill them.
 */
export async function startServer({ name, file, args = [], env = {} }, { pinned, children, listenTimeoutMs = 15_000 }) {
  const script = fileURLToPath(new URL(file, new URL('./', import.meta.url)));
  const [command, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, script, ...args]] : [process.execPath, [script, ...args]];
  const child = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const pending = new Map();
  let nextId = 0;
  const { port } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not listening after ${listenTimeoutMs / 1000} s`)), listenTimeoutMs);
    child.once('exit', (code) => reject(new Error(`${name}: exited with ${code} before listening`)));
    child.on('message', (message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'usage') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  return {
    name,
    port,
    usage: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error(`${name}: no usage report after 5 s`)), 5_000);
        pending.set(id, (message) => {
          clearTimeout(timer);
          resolve(message);
        });
        child.send({ type: 'usage', id });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
