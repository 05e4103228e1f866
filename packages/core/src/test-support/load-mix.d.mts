import type { Client } from '../client/create-client.js';
import type { Status } from '../status.js';
import type { EchoService } from './echo.generated.js';

/** Counts one call of the mix by how it ended: `expectedCode` when it should fail with that status. */
export type LoadMixWatch = (mode: string, work: Promise<unknown>, expectedCode?: Status) => Promise<unknown>;

/** One round of the load mix over `clients` (see load-mix.mjs). */
export function loadMix(clients: readonly Client<typeof EchoService>[], watch: LoadMixWatch): Promise<void>;
