import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A running service process, as `startService` returns it. */
export type ServiceProcess = ReturnType<typeof startService>;

/** How the service is started: a command, its arguments and where it runs. */
export interface ServiceLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** In a process group of its own, as a terminal starts a foreground command (so `-pid` signals the group). */
  readonly detached?: boolean;
}

const NODE_MAIN: ServiceLaunch = { command: process.execPath, args: [MAIN] };

/**
 * Starts the built service as `node dist/main.js` (or as `launch` says, such as `npm start`) on port 0, with `env`
 * added, and reads its output line by line; `line(pattern)` resolves with the first line matching, or
 * rejects at exit. `listening()` waits for the banner's address; `kill(signal)` sends a signal and waits for the exit.
 * `output` holds the lines read so far (standard output and error), for assertions about what was not logged.
 */
export function startService(env: Record<string, string>, launch: ServiceLaunch = NODE_MAIN) {
  if (launch === NODE_MAIN && !existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx tsc -b" first`);
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    detached: launch.detached ?? false,
    env: {
      ...process.env,
      PAYMENTS_ADDR: '127.0.0.1:0',
      PAYMENTS_METRICS_ADDR: '127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      const match = line.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  for (const output of [child.stdout, child.stderr]) {
    let buffer = '';
    output.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (buffer + chunk).split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const seen = lines.map((earlier) => earlier.match(pattern)).find((match) => match !== null);
      if (seen) return resolve(seen);
      waiters.push({ pattern, resolve });
      void exited.then(({ code }) =>
        reject(new Error(`the service exited (${code}) before printing ${pattern}: ${lines.slice(-5).join(' | ')}`)),
      );
    });
  /** Resolves with the address the banner prints (`127.0.0.1:<port>`) once the service listens. */
  const listening = async (): Promise<string> => {
    const [, address = ''] = await line(/listening on (\S+)/);
    return address;
  };
  /** Sends `signal` and resolves with how the process ended. */
  const kill = (signal: NodeJS.Signals) => {
    child.kill(signal);
    return exited;
  };
  const output: readonly string[] = lines;
  return { child, exited, line, listening, kill, output };
}
