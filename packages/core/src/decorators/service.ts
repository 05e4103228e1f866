import type { ServiceDefinition } from '../definition.js';
import type { PartialServiceImplementation } from '../handler.js';
import { type Constructor, recordService } from './decorator-metadata.js';

/** Options of `@Service`. */
export interface ServiceOptions {
  /**
   * Let rpcs without a handler start anyway; calls to them get UNIMPLEMENTED. Off by default, so a forgotten
   * handler stops startup instead of failing in production.
   */
  readonly allowUnimplemented?: boolean;
}

/**
 * Binds a class to a proto service. With a generated definition, the compiler checks every method named like
 * an rpc (`charge` for `Charge`) against the rpc's request, response and mode; a method named otherwise is
 * checked by its decorator's definition (`@UnaryMethod(PaymentService.methods.Charge)`). With a full name
 * (`'payments.v1.PaymentService'`), the service is looked up in the app's protos at startup; the compiler
 * cannot see the proto, so the service, its rpcs and their modes are checked at startup only, and the
 * handlers' message types not at all. Prefer a generated definition.
 * The class's constructor receives its dependencies from the app's providers.
 *
 * @example
 * @Service(PaymentService)
 * class Payments {
 *   constructor(private readonly ledger: Ledger) {}
 *   @UnaryMethod() async charge(request: ChargeRequest, ctx: CallContext): Promise<Payment> { … }
 * }
 */
export function Service<D extends ServiceDefinition>(
  definition: D,
  options?: ServiceOptions,
  // `& object` keeps the check from refusing a class whose handlers all have other names than their rpcs (a
  // type whose properties are all optional accepts no value that shares none of them).
): <C extends Constructor<PartialServiceImplementation<D['methods']> & object>>(target: C) => void;
export function Service(fullName: string, options?: ServiceOptions): (target: Constructor) => void;
export function Service(service: ServiceDefinition | string, options: ServiceOptions = {}): (target: Constructor) => void {
  const { allowUnimplemented = false } = options;
  return function bindService(target: Constructor): void {
    recordService(target, { service, allowUnimplemented });
  };
}
