/**
 * A mistake in how services are bound (unknown service or rpc, wrong mode, a handler bound twice or missing),
 * found before the server listens. The message lists every problem, each naming the class, the method, the
 * proto service and the fix.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Wirekit cannot start: ${problems[0]}`
        : `Wirekit cannot start, ${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}
