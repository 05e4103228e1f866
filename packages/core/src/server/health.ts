import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** What the standard health service (`grpc.health.v1.Health`) reports for a service. */
export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/**
 * The standard health service over `grpc-health-check`: the overall status under the empty name, and one per
 * bound service; Check and Watch both answer from it.
 */
export class HealthReporter {
  readonly #implementation = new HealthImplementation({ '': 'NOT_SERVING' });
  readonly #services = new Set<string>(['']);

  addToServer(server: Server): void {
    this.#implementation.addToServer(server);
  }

  /** Sets one service's status; the empty name is the server as a whole. */
  set(service: string, status: HealthStatus): void {
    this.#services.add(service);
    this.#implementation.setStatus(service, status as ServingStatus);
  }

  /** Sets every known service, and the server as a whole, to one status. */
  setAll(status: HealthStatus): void {
    for (const service of this.#services) this.#implementation.setStatus(service, status as ServingStatus);
  }
}
