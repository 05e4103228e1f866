import { type App, type AppOptions, createApp } from '@wirekit/core';
import { LEDGER } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { PaymentHandlers } from './payment-service.js';

/** The services and providers of the payments service, for `createApp` and for `createTestApp` alike. */
export const PAYMENTS_MODULE = {
  services: [PaymentHandlers],
  providers: [MemoryLedger, { provide: LEDGER, useExisting: MemoryLedger }],
} satisfies AppOptions;

/** The payments service as an app; `main.ts` and the loopback tests start it from here. */
export function createPaymentsApp(options: AppOptions = {}): App {
  return createApp({ ...PAYMENTS_MODULE, ...options });
}
