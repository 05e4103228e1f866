import type { CommandOutput } from '../command-output.js';

/** A command's output kept in memory: `out` for what it printed, `err` for what it reported. */
export function captured(): CommandOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, print: (line) => out.push(line), error: (line) => err.push(line) };
}
