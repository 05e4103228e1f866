import { type AnyMethodDefinition, createClient, RpcError, type ServiceDefinition, Status, statusName } from '@wirekit/core';
import type { TestApp } from '../create-test-app.js';
import { jsonDifferences } from './json-difference.js';
import { type RecordedExchange, type RecordedJson, readRecordedExchanges } from './recorded-exchange.js';

/** What `checkContract` checks. */
export interface ContractOptions {
  /** The service under contract, as generated from its proto. */
  readonly definition: ServiceDefinition;
  /** The implementation, served in memory (`createTestApp({ services: [TheClass] })`). */
  readonly testApp: TestApp;
  /** A directory of recorded exchanges (`*.json`), or the exchanges themselves. */
  readonly exchanges: string | readonly RecordedExchange[];
}

/** Thrown by `expectContract`: every difference between the implementation and its contract. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${service} does not keep its contract (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

/**
 * Checks an implementation against its contract: every rpc of the service is implemented (in the mode the
 * proto says: a mismatch already stops the app at startup), and every recorded exchange, replayed against the
 * app, gets the recorded response or status. Returns the problems, field by field; empty means kept.
 */
export async function checkContract(options: ContractOptions): Promise<string[]> {
  const { definition, testApp } = options;
  const problems: string[] = [];
  const served = testApp.app.servedServices.find((service) => service.name === definition.fullName);
  if (!served) return [`${definition.fullName} is not served by the app; add its class to createTestApp({ services })`];
  for (const rpc of served.rpcs) {
    if (!rpc.implemented) problems.push(`${definition.fullName}/${rpc.name} (${rpc.mode}) has no handler in ${served.owner}`);
  }
  const exchanges = typeof options.exchanges === 'string' ? readRecordedExchanges(options.exchanges) : options.exchanges;
  const client = createClient(definition, testApp.transport) as unknown as Record<string, (input: unknown, options: object) => unknown>;
  for (const [index, exchange] of exchanges.entries()) {
    const label = exchange.name ?? `exchange #${index + 1}`;
    const method = (definition.methods as Readonly<Record<string, AnyMethodDefinition>>)[exchange.rpc];
    if (!method) {
      problems.push(
        `${label}: ${definition.fullName} has no rpc "${exchange.rpc}" (its rpcs: ${Object.keys(definition.methods).join(', ')})`,
      );
      continue;
    }
    problems.push(...(await replay(method, exchange, client)).map((problem) => `${label} (${exchange.rpc}): ${problem}`));
  }
  return problems;
}

/** `checkContract`, throwing a `ContractError` that lists every problem. For use inside a test. */
export async function expectContract(options: ContractOptions): Promise<void> {
  const problems = await checkContract(options);
  if (problems.length > 0) throw new ContractError(options.definition.fullName, problems);
}

async function replay(
  method: AnyMethodDefinition,
  exchange: RecordedExchange,
  client: Record<string, (input: unknown, options: object) => unknown>,
): Promise<string[]> {
  let input: unknown;
  try {
    input = method.requestStream
      ? (exchange.requests ?? []).map((json) => method.requestCodec.fromJson(json))
      : method.requestCodec.fromJson(exchange.request ?? {});
  } catch (error: unknown) {
    return [`the recorded request is not a valid ${method.requestCodec.typeName}: ${(error as Error).message}`];
  }
  const call = client[method.name.charAt(0).toLowerCase() + method.name.slice(1)];
  if (!call) return [`no client method for ${method.name}`];
  const responses: RecordedJson[] = [];
  let failure: RpcError | undefined;
  try {
    const result = call(input, exchange.metadata ? { metadata: exchange.metadata } : {});
    if (method.responseStream) {
      for await (const response of result as AsyncIterable<unknown>) responses.push(method.responseCodec.toJson(response) as RecordedJson);
    } else {
      responses.push(method.responseCodec.toJson(await result) as RecordedJson);
    }
  } catch (error: unknown) {
    failure = RpcError.from(error);
  }
  const problems: string[] = [];
  if (method.responseStream) {
    problems.push(...jsonDifferences('responses', [...(exchange.responses ?? [])], responses));
  } else if (!exchange.status) {
    problems.push(...jsonDifferences('response', exchange.response, failure ? undefined : responses[0]));
  }
  problems.push(...statusDifferences(exchange, failure));
  return problems;
}

function statusDifferences(exchange: RecordedExchange, failure: RpcError | undefined): string[] {
  const expected = exchange.status;
  if (!expected) return failure ? [`expected success, got ${statusName(failure.code)}: ${failure.rawMessage}`] : [];
  const expectedCode = typeof expected.code === 'number' ? expected.code : Status[expected.code as keyof typeof Status];
  if (expectedCode === undefined) return [`the recorded status code "${expected.code}" is not a gRPC status; use a name such as NOT_FOUND`];
  if (!failure) return [`expected status ${statusName(expectedCode)}, got OK`];
  const problems: string[] = [];
  if (failure.code !== expectedCode)
    problems.push(`status: expected ${statusName(expectedCode)}, got ${statusName(failure.code)} (${failure.rawMessage})`);
  if (expected.message !== undefined && expected.message !== failure.rawMessage) {
    problems.push(`status message: expected ${JSON.stringify(expected.message)}, got ${JSON.stringify(failure.rawMessage)}`);
  }
  if (expected.details !== undefined) problems.push(...jsonDifferences('status.details', [...expected.details], asJson(failure.details)));
  return problems;
}

/** Details as plain JSON: bigints as decimal strings, bytes as base64, like the proto3 JSON mapping. */
function asJson(value: unknown): RecordedJson {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
    ),
  ) as RecordedJson;
}
