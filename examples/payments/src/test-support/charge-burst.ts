import { type CallOptions, closeClient, createClient, RpcError, Status } from '@wirekit/core';
import { type ChargeRequest, type Payment, PaymentService } from '../gen/payments.js';
import type { PaymentsClient } from './serve-payments.js';

/**
 * A client on a connection of its own: grpc-js shares one connection between clients of the same target unless
 * told not to, and the fault tests need several clients to be several connections.
 */
export function connectionOf(address: string, token: string): PaymentsClient {
  return createClient(PaymentService, address, {
    defaultCallOptions: { metadata: { authorization: `Bearer ${token}` } },
    grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });
}

/** One Charge of a burst: what was sent, when (the burst's phase at the start), and how it ended. */
export interface ChargeRecord {
  readonly key: string;
  readonly request: ChargeRequest;
  /** The phase the test had set when the call started, e.g. `'before'` or `'draining'`. */
  readonly phase: string;
  /** The phase when it ended. */
  endPhase?: string;
  /** Set when the call ended: the payment, or the status it failed with. */
  outcome?: { readonly ok: true; readonly payment: Payment } | { readonly ok: false; readonly error: RpcError };
}

/** Options of `chargeBurst`. */
export interface ChargeBurstOptions {
  /** Calls in flight per client. */
  readonly concurrency: number;
  /** Prefix of the idempotency keys (and order ids): each call has a new key. */
  readonly keyPrefix: string;
  /** The customer every charge is for, so a listing of the customer counts the burst's payments. */
  readonly customerId: string;
  /** Whether a worker stops at its first failed call (after a kill) or keeps going until `stop()`. */
  readonly stopOnError: boolean;
  /** Options of each call, given its key; default none (the client's own). */
  readonly callOptions?: (key: string) => CallOptions;
}

/**
 * Charges continuously from every client, `concurrency` calls in flight on each, every call with a new
 * idempotency key and a distinct amount, recording each call and its outcome. The test moves `phase` and waits
 * for conditions on the records (`until`), never for time.
 */
export function chargeBurst(clients: readonly PaymentsClient[], options: ChargeBurstOptions) {
  const { concurrency, keyPrefix, customerId, stopOnError, callOptions = () => ({}) } = options;
  const records: ChargeRecord[] = [];
  const waiters: { condition: () => boolean; resolve: () => void }[] = [];
  let phase = 'before';
  let stopped = false;
  let sequence = 0;
  const check = (): void => {
    for (const waiter of [...waiters]) {
      if (!waiter.condition()) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const worker = async (client: PaymentsClient): Promise<void> => {
    while (!stopped) {
      const number = sequence++;
      const key = `${keyPrefix}-${number}`;
      const request: ChargeRequest = {
        orderId: `order-${key}`,
        // Distinct amounts, so a payment found later is checked against the call that made it.
        amountCents: 1_000n + BigInt(number),
        currency: 'EUR',
        customerId,
        idempotencyKey: key,
        metadata: {},
      };
      const record: ChargeRecord = { key, request, phase };
      records.push(record);
      try {
        record.outcome = { ok: true, payment: await client.charge(request, callOptions(key)) };
      } catch (error: unknown) {
        record.outcome = { ok: false, error: RpcError.from(error) };
      }
      record.endPhase = phase;
      check();
      if (!record.outcome.ok && stopOnError) return;
    }
  };
  const done = Promise.all(clients.flatMap((client) => Array.from({ length: concurrency }, () => worker(client))));
  // A condition that cannot be met once every worker stopped would wait forever: fail it instead.
  void done.then(() => {
    for (const waiter of waiters.splice(0)) waiter.resolve();
  });

  return {
    records,
    /** Every call answered OK so far. */
    acknowledged: (): ChargeRecord[] => records.filter((record) => record.outcome?.ok === true),
    /** Marks the calls started from now on. */
    setPhase(next: string): void {
      phase = next;
    },
    /** Resolves once `condition` holds after a call ended (or every worker stopped: check it again). */
    until(condition: () => boolean): Promise<void> {
      if (condition()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ condition, resolve }));
    },
    /** Every worker stopped (on its first failure, with `stopOnError`). */
    done,
    /** Lets each worker finish its call in flight and start no other; resolves when all have stopped. */
    async stop(): Promise<void> {
      stopped = true;
      await done;
    },
  };
}

/** The status name of each failed call, with how many: `{ UNAVAILABLE: 12 }`. */
export function failureCodes(records: readonly ChargeRecord[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const record of records) {
    if (record.outcome && !record.outcome.ok) {
      const name = Status[record.outcome.error.code];
      codes[name] = (codes[name] ?? 0) + 1;
    }
  }
  return codes;
}

/** Closes clients made by `connectionOf`. */
export function closeAll(clients: readonly PaymentsClient[]): void {
  for (const client of clients) closeClient(client);
}
