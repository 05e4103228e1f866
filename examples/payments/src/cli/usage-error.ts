/** A command used wrongly (an unknown option, a missing value): it exits 2 and prints its usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
