// Charge and GetPayment over gRPC: the payments service's PaymentHandlers in a Wirekit app with the in-memory
// ledger, no middleware except the one that honours `x-delay-ms`, no health or reflection.
import { createApp, createSilentLogger } from '@wirekit/core';
import { reportToHarness } from '../../servers/report-usage.mjs';
import {
  DEFAULT_STREAM_LIMITS,
  DELAY_HEADER,
  holdAsAsked,
  LEDGER,
  MemoryLedger,
  PaymentHandlers,
  STREAM_LIMITS,
} from './payments-logic.mjs';

/** Holds a call for as long as its `x-delay-ms` metadata asks, then runs the rest of the chain. */
async function* delayAsAsked(call, next) {
  await holdAsAsked(call.context.metadata.get(DELAY_HEADER));
  return yield* next(call);
}

const app = createApp({
  logger: createSilentLogger(),
  shutdownSignals: [],
  health: false,
  reflection: false,
  services: [PaymentHandlers],
  providers: [MemoryLedger, { provide: LEDGER, useExisting: MemoryLedger }, { provide: STREAM_LIMITS, useValue: DEFAULT_STREAM_LIMITS }],
  middleware: [delayAsAsked],
});

const { port } = await app.listen('127.0.0.1:0');
reportToHarness(port, () => app.close({ graceMs: 0 }));
