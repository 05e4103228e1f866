import { type AnyMethodDefinition, createClient, RpcError, type ServiceDefinition, StartupError, Status, statusName } from '@wirekit/core';
import type { TestApp } from '../create-test-app.js';
import { canonicalJson } from './canonical-json.js';
import { isJsonObject, jsonDifferences } from './json-difference.js';
import { MessageShapes } from './message-shapes.js';
import { type RecordedExchange, type RecordedJson, readRecordedExchanges } from './recorded-exchange.js';

/** What `checkContract` checks. */
export interface ContractOptions {
  /** The service under contract, as generated from its proto. */
  readonly definition: ServiceDefinition;
  /**
   * The implementation, served in memory (`createTestApp({ services: [TheClass] })`). Pass the promise itself
   * to have a binding mistake (an rpc implemented in the wrong mode, a missing handler) reported as a contract
   * problem rather than thrown by `createTestApp`.
   */
  readonly testApp: TestApp | Promise<TestApp>;
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
 * Checks an implementation against its contract: every rpc of the service is implemented in the mode the
 * proto says (a mismatch stops the app at startup, and is reported here when `testApp` is given as a
 * promise), and every recorded exchange, replayed against the app, gets the recorded response or status.
 * Recorded messages may use any valid proto3 JSON spelling; both sides are compared in the canonical form.
 * Returns the problems, field by field; empty means kept.
 */
export async function checkContract(options: ContractOptions): Promise<string[]> {
  const { definition } = options;
  let testApp: TestApp;
  try {
    testApp = await options.testApp;
  } catch (error: unknown) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((problem) => `${definition.fullName} cannot be served: ${problem}`);
  }
  const problems: string[] = [];
  const served = testApp.app.servedServices.find((service) => service.name === definition.fullName);
  if (!served) return [`${definition.fullName} is not served by the app; add its class to createTestApp({ services })`];
  for (const rpc of served.rpcs) {
    if (!rpc.implemented) problems.push(`${definition.fullName}/${rpc.name} (${rpc.mode}) has no handler in ${served.owner}`);
  }
  const exchanges = typeof options.exchanges === 'string' ? readRecordedExchanges(options.exchanges) : options.exchanges;
  const client = createClient(definition, testApp.transport) as unknown as Record<string, (input: unknown, options: object) => unknown>;
  const shapes = new MessageShapes(definition.protos);
  for (const [index, exchange] of exchanges.entries()) {
    const label = exchange.name ?? `exchange #${index + 1}`;
    const method = (definition.methods as Readonly<Record<string, AnyMethodDefinition>>)[exchange.rpc];
    if (!method) {
      problems.push(
        `${label}: ${definition.fullName} has no rpc "${exchange.rpc}" (its rpcs: ${Object.keys(definition.methods).join(', ')})`,
      );
      continue;
    }
    problems.push(...(await replay(method, exchange, client, shapes)).map((problem) => `${label} (${exchange.rpc}): ${problem}`));
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
  shapes: MessageShapes,
): Promise<string[]> {
  const { requestCodec, responseCodec } = method;
  const invalid = (what: string, typeName: string, error: unknown): string[] => [
    `the recorded ${what}${exchange.source ? ` in ${exchange.source}` : ''} is not a valid ${typeName}: ${(error as Error).message}`,
  ];
  let input: unknown;
  try {
    input = method.requestStream
      ? (exchange.requests ?? []).map((json) => requestCodec.fromJson(json))
      : requestCodec.fromJson(exchange.request ?? {});
  } catch (error: unknown) {
    return invalid(method.requestStream ? 'requests' : 'request', requestCodec.typeName, error);
  }
  // The recorded responses in the form toJson gives the actual ones, so any valid spelling of a message matches.
  let expected: RecordedJson[] = [];
  let what = 'response';
  try {
    if (method.responseStream) {
      for (const [index, json] of (exchange.responses ?? []).entries()) {
        what = `responses[${index}]`;
        expected.push(canonicalJson(responseCodec, shapes, json));
      }
    } else if (exchange.response !== undefined) {
      expected = [canonicalJson(responseCodec, shapes, exchange.response)];
    }
  } catch (error: unknown) {
    return invalid(what, responseCodec.typeName, error);
  }
  const call = client[method.name.charAt(0).toLowerCase() + method.name.slice(1)];
  if (!call) return [`no client method for ${method.name}`];
  const responses: RecordedJson[] = [];
  let failure: RpcError | undefined;
  try {
    const result = call(input, exchange.metadata ? { metadata: exchange.metadata } : {});
    if (method.responseStream) {
      for await (const response of result as AsyncIterable<unknown>) responses.push(responseCodec.toJson(response) as RecordedJson);
    } else {
      responses.push(responseCodec.toJson(await result) as RecordedJson);
    }
  } catch (error: unknown) {
    failure = RpcError.from(error);
  }
  const problems: string[] = [];
  if (method.responseStream) {
    problems.push(...jsonDifferences('responses', expected, responses));
  } else if (!exchange.status) {
    problems.push(...jsonDifferences('response', expected[0], failure ? undefined : responses[0]));
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
  if (expected.details !== undefined) {
    problems.push(...jsonDifferences('status.details', withoutEmpty([...expected.details]), withoutEmpty(asJson(failure.details))));
  }
  return problems;
}

/**
 * Details with their empty strings, lists and maps left out, on both sides: a decoded detail has every one of
 * them filled (`reason: ""`), and a recording may spell them out or not, so neither way is a difference.
 */
function withoutEmpty(value: RecordedJson): RecordedJson {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (typeof value !== 'object' || value === null) return value;
  const kept: { [key: string]: RecordedJson } = {};
  for (const [key, item] of Object.entries(value)) {
    const empty = item === '' || (Array.isArray(item) && item.length === 0) || (isJsonObject(item) && Object.keys(item).length === 0);
    if (!empty) kept[key] = withoutEmpty(item);
  }
  return kept;
}

/** Details as plain JSON: bigints as decimal strings, bytes as base64, like the proto3 JSON mapping. */
function asJson(value: unknown): RecordedJson {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
    ),
  ) as RecordedJson;
}
