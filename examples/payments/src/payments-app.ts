import { type App, type AppOptions, createApp } from '@wirekit/core';
import { LEDGER } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { PaymentHandlers } from './payment-service.js';

/** The payments service as an app; tests and `main.ts` both start it from here. */
export function createPaymentsApp(options: AppOptions = {}): App {
  return createApp({
    services: [PaymentHandlers],
    providers: [MemoryLedger, { provide: LEDGER, useExisting: MemoryLedger }],
    ...options,
  });
}
