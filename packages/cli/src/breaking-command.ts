import { parseArgs } from 'node:util';
import { checkBreaking, formatBreakingChange } from '@wirekit/testing';
import type { CommandOutput } from './command-output.js';

export const BREAKING_HELP = `Usage: wirekit breaking --against <git ref | directory> [--input <proto root>] [--rules A,B]

Compares the protos under --input (default: proto) with an earlier version and lists every change that
breaks existing clients: changed field numbers or types, deleted fields or enum values that are not
reserved, renamed enum values, deleted or renamed rpcs and services, changed streaming modes.
The earlier version is a directory with the same layout, or a git reference (main, v1.2.0, HEAD~1) of
the repository, read at the same path. Rules are buf's (default: WIRE_JSON,RPC_NO_DELETE,SERVICE_NO_DELETE).

Exit status: 0 compatible, 1 breaking changes found, 2 the comparison could not run.`;

/** `wirekit breaking`: a CI gate on incompatible proto changes. Returns the exit status. */
export async function breakingCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  let values: { against?: string; input?: string; rules?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { against: { type: 'string' }, input: { type: 'string' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error: unknown) {
    output.error(`${(error as Error).message}\n\n${BREAKING_HELP}`);
    return 2;
  }
  if (values.help) {
    output.print(BREAKING_HELP);
    return 0;
  }
  if (!values.against) {
    output.error(`--against is required: the git reference or directory to compare with\n\n${BREAKING_HELP}`);
    return 2;
  }
  const input = values.input ?? 'proto';
  try {
    const changes = await checkBreaking({
      input,
      against: values.against,
      ...(values.rules ? { rules: values.rules.split(',').map((rule) => rule.trim()) } : {}),
    });
    if (changes.length === 0) {
      output.print(`no breaking changes in ${input} against ${values.against}`);
      return 0;
    }
    for (const change of changes) output.print(formatBreakingChange(change));
    output.error(`${changes.length} breaking change${changes.length === 1 ? '' : 's'} in ${input} against ${values.against}`);
    return 1;
  } catch (error: unknown) {
    output.error((error as Error).message);
    return 2;
  }
}
