import type { EntryRejection, ImportSummary, LedgerEntry } from './gen/payments.js';
import type { ChargeOutcome, NewCharge } from './ledger.js';
import { chargeViolations } from './validation.js';

/**
 * Why an imported entry cannot be charged, in words a person can act on; undefined when it can. Besides the
 * rules of a charge, an entry needs an idempotency key: an import that failed or was cancelled is re-run whole,
 * and the key is what keeps a re-run from charging twice.
 */
export function entryRejection(entry: LedgerEntry): string | undefined {
  const problems = chargeViolations(entry).map((violation) => violation.description);
  if (entry.idempotencyKey.trim() === '') {
    problems.push('idempotency_key is required for an imported entry, so that re-running the import never charges twice');
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** The charge an accepted entry makes. */
export function chargeOfEntry(entry: LedgerEntry): NewCharge {
  return {
    orderId: entry.orderId,
    amountCents: entry.amountCents,
    currency: entry.currency,
    customerId: entry.customerId,
    idempotencyKey: entry.idempotencyKey,
    metadata: {},
  };
}

/**
 * The summary of an import: the entries rejected before the commit, plus those whose idempotency key the
 * ledger already had for another charge. A replayed entry (its key and parameters seen before) counts as
 * accepted: the ledger holds it, once.
 */
export function importSummary(
  rejections: readonly EntryRejection[],
  committed: readonly { readonly index: number; readonly entry: LedgerEntry }[],
  outcomes: readonly ChargeOutcome[],
): ImportSummary {
  const allRejections = [...rejections];
  let accepted = 0;
  let acceptedAmountCents = 0n;
  committed.forEach(({ index, entry }, position) => {
    const outcome = outcomes[position];
    if (outcome === undefined) throw new Error(`the ledger returned ${outcomes.length} outcomes for ${committed.length} entries`);
    if (outcome.kind === 'conflict') {
      allRejections.push({
        index,
        reason: `idempotency_key "${entry.idempotencyKey}" was already used for payment ${outcome.existing.paymentId} with different parameters; use a new key for a new charge`,
      });
    } else {
      accepted++;
      acceptedAmountCents += outcome.payment.amountCents;
    }
  });
  allRejections.sort((a, b) => a.index - b.index);
  return { accepted, rejected: allRejections.length, acceptedAmountCents, rejections: allRejections };
}
