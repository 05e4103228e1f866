import { breakingCommand } from './breaking-command.js';
import { callCommand } from './call-command.js';
import type { CommandOutput } from './command-output.js';

const HELP = `Usage: wirekit <command> [options]

Commands:
  breaking   list changes to your protos that break existing clients (a CI gate)
  call       call a gRPC server, list its services, describe its messages (like grpcurl)

Run wirekit <command> --help for a command's options.`;

/** Runs the `wirekit` command with its arguments (without `node` and the script); returns the exit status. */
export async function runCli(args: readonly string[], output: CommandOutput): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'breaking':
      return breakingCommand(rest, output);
    case 'call':
      return callCommand(rest, output);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      output.print(HELP);
      return command === undefined ? 2 : 0;
    default:
      output.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}
