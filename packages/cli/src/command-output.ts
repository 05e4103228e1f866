/** Where a command writes: standard output for results, standard error for problems. */
export interface CommandOutput {
  print(line: string): void;
  error(line: string): void;
}

/** The process's own streams. */
export const processOutput: CommandOutput = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
