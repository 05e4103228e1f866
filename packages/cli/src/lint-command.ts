import { parseArgs } from 'node:util';
import { checkLint, DEFAULT_LINT_EXCEPTIONS, formatFinding } from '@wirekit/testing';
import type { CommandOutput } from './command-output.js';

export const LINT_HELP = `Usage: wirekit lint [--input <proto root>] [--rules A,B] [--except A,B]

Checks the protos under --input (default: proto) against buf's lint rules: files laid out by package,
versioned package names, naming of messages, fields, enums and services, enum zero values ending in
_UNSPECIFIED, and more. Default rules: STANDARD, except ${DEFAULT_LINT_EXCEPTIONS.join(', ')}
(they ask for a distinct request and response message per rpc, which resource-oriented APIs do not use).
--rules replaces the rule set (categories or rule ids); --except replaces the default exceptions.

Exit status: 0 clean, 1 problems found, 2 the protos could not be linted.`;

/** `wirekit lint`: proto style rules as a CI gate. Returns the exit status. */
export async function lintCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  let values: { input?: string; rules?: string; except?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { input: { type: 'string' }, rules: { type: 'string' }, except: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error: unknown) {
    output.error(`${(error as Error).message}\n\n${LINT_HELP}`);
    return 2;
  }
  if (values.help) {
    output.print(LINT_HELP);
    return 0;
  }
  const input = values.input ?? 'proto';
  try {
    const findings = await checkLint({
      input,
      ...(values.rules ? { rules: ruleList(values.rules) } : {}),
      ...(values.except ? { except: ruleList(values.except) } : {}),
    });
    if (findings.length === 0) {
      output.print(`no lint problems in ${input}`);
      return 0;
    }
    for (const finding of findings) output.print(formatFinding(finding));
    output.error(`${findings.length} lint problem${findings.length === 1 ? '' : 's'} in ${input}`);
    return 1;
  } catch (error: unknown) {
    output.error((error as Error).message);
    return 2;
  }
}

function ruleList(rules: string): string[] {
  return rules
    .split(',')
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '');
}
