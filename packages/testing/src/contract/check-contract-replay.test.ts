import {
  BidiStreamingMethod,
  badRequest,
  type CallContext,
  ClientStreamingMethod,
  RpcError,
  ServerStreamingMethod,
  Service,
  Status,
  UnaryMethod,
} from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestApp } from '../create-test-app.js';
import { ContractError, checkContract, expectContract } from './check-contract.js';
import type { RecordedExchange } from './recorded-exchange.js';
import { Greeter, type HelloReply, type HelloRequest } from './test-support/greeter.js';

/** What the handlers saw of the calls, so a test can tell the recorded metadata really reached them. */
const seenRequestIds: (string | undefined)[] = [];

@Service(Greeter)
class StrictGreeter {
  @UnaryMethod()
  sayHello(request: HelloRequest, context: CallContext): HelloReply {
    seenRequestIds.push(context.metadata.get('x-request-id'));
    if (request.name === '') {
      throw new RpcError(Status.INVALID_ARGUMENT, 'name is required', {
        details: [badRequest([{ field: 'name', description: 'must not be empty' }])],
      });
    }
    return { message: request.name === 'nobody' ? '' : `Hello, ${request.name}` };
  }
  /** Greets up to three times, then fails: a stream that sends responses and then a status. */
  @ServerStreamingMethod()
  async *sayHelloStream(request: HelloRequest): AsyncGenerator<HelloReply> {
    for (let time = 1; time <= request.times; time++) {
      if (time > 3) throw new RpcError(Status.RESOURCE_EXHAUSTED, 'at most 3 greetings');
      yield { message: `Hello #${time}, ${request.name}` };
    }
  }
  @ClientStreamingMethod()
  async greetAll(requests: AsyncIterable<HelloRequest>): Promise<HelloReply> {
    let count = 0;
    for await (const _request of requests) count++;
    return { message: `Hello, ${count} people` };
  }
  @BidiStreamingMethod()
  async *converse(requests: AsyncIterable<HelloRequest>): AsyncGenerator<HelloReply> {
    for await (const request of requests) yield { message: request.name.toUpperCase() };
  }
}

describe('replaying recorded exchanges', () => {
  it('replays a bidi exchange in order and reports a drifted answer by its index', async () => {
    const testApp = await createTestApp({ services: [StrictGreeter], cleanup: onTestFinished });
    const converse = (second: string): RecordedExchange => ({
      name: 'converse',
      rpc: 'Converse',
      requests: [{ name: 'ada' }, { name: 'grace' }],
      responses: [{ message: 'ADA' }, { message: second }],
    });
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [converse('GRACE')] })).toEqual([]);
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [converse('Grace')] })).toEqual([
      'converse (Converse): responses[1].message: expected "Grace", got "GRACE"',
    ]);
  });

  it('checks a stream that sends responses and then fails with a status', async () => {
    const testApp = await createTestApp({ services: [StrictGreeter], cleanup: onTestFinished });
    const request = { name: 'Ada', times: 5 };
    const kept: RecordedExchange = {
      name: 'too many',
      rpc: 'SayHelloStream',
      request,
      responses: [{ message: 'Hello #1, Ada' }, { message: 'Hello #2, Ada' }, { message: 'Hello #3, Ada' }],
      status: { code: 'RESOURCE_EXHAUSTED', message: 'at most 3 greetings' },
    };
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [kept] })).toEqual([]);
    const drifted: RecordedExchange = { ...kept, responses: kept.responses?.slice(0, 2), status: { code: 'OUT_OF_RANGE' } };
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [drifted] })).toEqual([
      'too many (SayHelloStream): responses: expected 2 items, got 3',
      'too many (SayHelloStream): status: expected OUT_OF_RANGE, got RESOURCE_EXHAUSTED (at most 3 greetings)',
    ]);
    const endsOk: RecordedExchange = { ...kept, request: { name: 'Ada', times: 1 }, responses: [{ message: 'Hello #1, Ada' }] };
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [endsOk] })).toEqual([
      'too many (SayHelloStream): expected status RESOURCE_EXHAUSTED, got OK',
    ]);
  });

  it('compares status.details field by field', async () => {
    const testApp = await createTestApp({ services: [StrictGreeter], cleanup: onTestFinished });
    const withDetails = (field: string): RecordedExchange => ({
      name: 'no name',
      rpc: 'SayHello',
      request: {},
      status: {
        code: 'INVALID_ARGUMENT',
        details: [{ type: 'google.rpc.BadRequest', fieldViolations: [{ field, description: 'must not be empty' }] }],
      },
    });
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [withDetails('name')] })).toEqual([]);
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [withDetails('nmae')] })).toEqual([
      'no name (SayHello): status.details[0].fieldViolations[0].field: expected "nmae", got "name"',
    ]);
  });

  it('reports a recorded "<any>" field that the response leaves out', async () => {
    const testApp = await createTestApp({ services: [StrictGreeter], cleanup: onTestFinished });
    const exchange: RecordedExchange = { name: 'nobody', rpc: 'SayHello', request: { name: 'nobody' }, response: { message: '<any>' } };
    expect(await checkContract({ definition: Greeter, testApp, exchanges: [exchange] })).toEqual([
      'nobody (SayHello): response.message: expected a value, got none',
    ]);
  });

  it('sends the recorded request metadata, which the handler sees', async () => {
    const testApp = await createTestApp({ services: [StrictGreeter], cleanup: onTestFinished });
    seenRequestIds.length = 0;
    await expectContract({
      definition: Greeter,
      testApp,
      exchanges: [{ rpc: 'SayHello', metadata: { 'x-request-id': 'r-42' }, request: { name: 'Ada' }, response: { message: 'Hello, Ada' } }],
    });
    expect(seenRequestIds).toEqual(['r-42']);
  });
});

/**
 * Implements the server-streaming rpc as unary: the proto says otherwise, so the app refuses to start. Bound by
 * the service's name, which the types cannot check (the generated definition would refuse it at compile time).
 */
@Service('greeter.v1.Greeter', { allowUnimplemented: true })
class WrongModeGreeter {
  @UnaryMethod()
  sayHelloStream(request: HelloRequest): HelloReply {
    return { message: request.name };
  }
}

describe('a wrong-mode implementation', () => {
  it('is reported through the contract API when the test app is given as a promise', async () => {
    const problems = await checkContract({
      definition: Greeter,
      testApp: createTestApp({ services: [WrongModeGreeter], protos: [Greeter.protos], cleanup: onTestFinished }),
      exchanges: [],
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^greeter\.v1\.Greeter cannot be served: WrongModeGreeter\.sayHelloStream is declared @UnaryMethod but \/greeter\.v1\.Greeter\/SayHelloStream is server_streaming in the proto; use @ServerStreamingMethod\(\)$/,
      ),
    ]);
    const error = await expectContract({
      definition: Greeter,
      testApp: createTestApp({ services: [WrongModeGreeter], protos: [Greeter.protos] }),
      exchanges: [],
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).problems).toEqual(problems);
  });
});
