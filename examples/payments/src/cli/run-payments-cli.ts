import { formatRpcError, RpcError } from '@wirekit/core';
import { chargeCommand } from './charge-command.js';
import type { CliIo } from './cli-io.js';
import { getCommand } from './get-command.js';
import { importCommand } from './import-command.js';
import { settleCommand } from './settle-command.js';
import { UsageError } from './usage-error.js';
import { watchCommand } from './watch-command.js';

const USAGE = `Usage: npm run payments -- <command> [options]

Commands:
  charge   charge a customer for an order
  get      print a payment
  watch    print the payments, and with --follow each one created or settled
  import   import a CSV ledger
  settle   settle payments

Run npm run payments -- <command> --help for a command's options.
Exit status: 0 on success, 1 when a call fails, 2 for a usage error.`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> = {
  charge: chargeCommand,
  get: getCommand,
  watch: watchCommand,
  import: importCommand,
  settle: settleCommand,
};

/**
 * Runs the payments command with its arguments (without `node` and the script) and returns the exit status: a
 * failed call prints its status and rich details and gives 1, a usage error prints the usage and gives 2.
 *
 * @example
 * process.exitCode = await runPaymentsCli(['get', 'pay_1'], processIo(signal));
 */
export async function runPaymentsCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    if (RpcError.is(error)) {
      io.stderr(`${formatRpcError(error).join('\n')}\n`);
      return 1;
    }
    // A file that cannot be read, and the like: the command could not run.
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
