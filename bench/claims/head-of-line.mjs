// Claim 5, head-of-line blocking: on one client, a GetPayment the server holds `delayMs` while fast GetPayments
// run one after another (see `headOfLineTrial`). Multiplexed transports (gRPC, REST over HTTP/2) should answer
// the fast calls at once; one HTTP/1.1 connection cannot, with or without pipelining (responses come back in
// request order); a pool of HTTP/1.1 connections avoids it by sending the fast calls on other sockets. Loopback
// loses no packets, so TCP's own head-of-line blocking (one lost segment stalls every HTTP/2 stream) is not in
// these figures.
import { median } from '../report.mjs';
import { headOfLineTrial, percentile } from './load.mjs';

/** Runs `trials` trials on each scenario (`{ name, label, client, paymentId }`), in a rotated order. */
export async function measureHeadOfLine(scenarios, { trials, delayMs }) {
  const results = new Map(scenarios.map((scenario) => [scenario.name, []]));
  const errors = new Map(scenarios.map((scenario) => [scenario.name, []]));
  for (let trial = 0; trial < trials; trial++) {
    const order = scenarios.map((_, index) => scenarios[(index + trial) % scenarios.length]);
    for (const scenario of order) {
      try {
        results.get(scenario.name).push(await headOfLineTrial(scenario.client, { paymentId: scenario.paymentId, delayMs }));
      } catch (error) {
        errors.get(scenario.name).push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  return scenarios.map(({ name, label }) => {
    const mine = results.get(name);
    const fast = mine.flatMap((trial) => trial.fast.map((call) => call.ms)).sort((a, b) => a - b);
    return {
      scenario: name,
      label,
      trials: mine.length,
      errors: errors.get(name).length + mine.reduce((sum, trial) => sum + trial.wrong, 0),
      firstError: errors.get(name)[0],
      fastCalls: fast.length,
      medianFastCallsWhileSlowInFlight: median(mine.map((trial) => trial.fast.filter((call) => call.whileSlowInFlight).length)),
      medianFirstFastMs: median(mine.map((trial) => trial.fast[0]?.ms ?? null)),
      p50FastMs: percentile(fast, 0.5),
      maxFastMs: fast.at(-1) ?? null,
      medianSlowMs: median(mine.map((trial) => trial.slowMs)),
    };
  });
}
