import { breakingCommand } from './breaking-command.js';
import { callCommand } from './call-command.js';
import type { CommandOutput } from './command-output.js';
import { generateCommand } from './generate-command.js';
import { lintCommand } from './lint-command.js';
import { newCommand } from './new-command.js';

const HELP = `Usage: wirekit <command> [options]

Commands:
  new        create a service: a .proto, a decorated class, a test, ready to build and test
  generate   TypeScript types and service definitions from your protos (--watch to keep them current)
  lint       check your protos against buf's style rules (a CI gate)
  breaking   list changes to your protos that break existing clients (a CI gate)
  call       call a gRPC server, list its services, describe its messages (like grpcurl)

Run wirekit <command> --help for a command's options.`;

/** Runs the `wirekit` command with its arguments (without `node` and the script); returns the exit status. */
export async function runCli(args: readonly string[], output: CommandOutput): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'new':
      return newCommand(rest, output);
    case 'generate':
      return generateCommand(rest, output);
    case 'lint':
      return lintCommand(rest, output);
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
