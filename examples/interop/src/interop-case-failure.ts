import { RpcError, Status } from '@wirekit/core';

/** A check of an interop case that did not hold: the case fails with what was expected and what came. */
export class InteropCaseFailure extends Error {
  override readonly name = 'InteropCaseFailure';
}

/** Fails the case with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InteropCaseFailure(message);
}

/** Runs `call`, which must fail with `code`; returns its error. A success or another failure fails the case. */
export async function expectStatus(what: string, code: Status, call: () => Promise<unknown>): Promise<RpcError> {
  let outcome: unknown;
  try {
    await call();
  } catch (error: unknown) {
    outcome = error;
  }
  if (outcome === undefined) throw new InteropCaseFailure(`${what}: expected status ${Status[code]}, but the call succeeded`);
  if (!RpcError.is(outcome)) throw outcome;
  check(
    outcome.code === code,
    `${what}: expected status ${Status[code]}, got ${Status[outcome.code]} (${JSON.stringify(outcome.rawMessage)})`,
  );
  return outcome;
}
