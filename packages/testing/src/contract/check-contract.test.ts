import { fileURLToPath } from 'node:url';
import { BidiStreamingMethod, ClientStreamingMethod, RpcError, ServerStreamingMethod, Service, Status, UnaryMethod } from '@wirekit/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestApp } from '../create-test-app.js';
import { ContractError, checkContract, expectContract } from './check-contract.js';
import { Greeter, type HelloReply, type HelloRequest } from './test-support/greeter.js';

const exchanges = fileURLToPath(new URL('./test-support/greeter-exchanges', import.meta.url));

@Service(Greeter)
class KeptGreeter {
  @UnaryMethod()
  sayHello(request: HelloRequest): HelloReply {
    if (request.name === '') throw new RpcError(Status.INVALID_ARGUMENT, 'name is required');
    return { message: `Hello, ${request.name}` };
  }
  @ServerStreamingMethod()
  async *sayHelloStream(request: HelloRequest): AsyncGenerator<HelloReply> {
    for (let time = 1; time <= request.times; time++) yield { message: `Hello #${time}, ${request.name}` };
  }
  @ClientStreamingMethod()
  async greetAll(requests: AsyncIterable<HelloRequest>): Promise<HelloReply> {
    const names: string[] = [];
    for await (const request of requests) names.push(request.name);
    return { message: `Hello, ${names.join(' and ')}` };
  }
  @BidiStreamingMethod()
  async *converse(requests: AsyncIterable<HelloRequest>): AsyncGenerator<HelloReply> {
    for await (const request of requests) yield { message: request.name };
  }
}

/** Breaks the contract in three places: a changed greeting, one response too many, and a wrong status. */
@Service(Greeter, { allowUnimplemented: true })
class DriftedGreeter {
  @UnaryMethod()
  sayHello(request: HelloRequest): HelloReply {
    if (request.name === '') throw new RpcError(Status.FAILED_PRECONDITION, 'no name');
    return { message: `Hi, ${request.name}` };
  }
  @ServerStreamingMethod()
  async *sayHelloStream(request: HelloRequest): AsyncGenerator<HelloReply> {
    for (let time = 1; time <= request.times + 1; time++) yield { message: `Hello #${time}, ${request.name}` };
  }
  @ClientStreamingMethod()
  async greetAll(): Promise<HelloReply> {
    return { message: 'Hello, everyone' };
  }
}

describe('contract checks', () => {
  it('passes an implementation that keeps every recorded exchange', async () => {
    const testApp = await createTestApp({ services: [KeptGreeter], cleanup: onTestFinished });
    await expect(checkContract({ definition: Greeter, testApp, exchanges })).resolves.toEqual([]);
    await expectContract({ definition: Greeter, testApp, exchanges });
  });

  it('reports every difference field by field, and rpcs without a handler', async () => {
    const testApp = await createTestApp({ services: [DriftedGreeter], cleanup: onTestFinished });
    expect(await checkContract({ definition: Greeter, testApp, exchanges })).toEqual([
      'greeter.v1.Greeter/Converse (bidi_streaming) has no handler in DriftedGreeter',
      'say-hello.json (SayHello): response.message: expected "Hello, Ada", got "Hi, Ada"',
      'two greetings (SayHelloStream): responses: expected 2 items, got 3',
      'no name (SayHello): status: expected INVALID_ARGUMENT, got FAILED_PRECONDITION (no name)',
      'no name (SayHello): status message: expected "name is required", got "no name"',
    ]);
    const error = await expectContract({ definition: Greeter, testApp, exchanges }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).message).toMatch(/^greeter\.v1\.Greeter does not keep its contract \(5 problems\):/);
  });

  it('explains exchanges that do not fit the service', async () => {
    const testApp = await createTestApp({ services: [KeptGreeter], cleanup: onTestFinished });
    const problems = await checkContract({
      definition: Greeter,
      testApp,
      exchanges: [
        { name: 'typo', rpc: 'SayHelo', request: {} },
        { name: 'bad field', rpc: 'SayHello', request: { nmae: 'x' } },
        { name: 'bad code', rpc: 'SayHello', request: { name: '' }, status: { code: 'NOPE' } },
      ],
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('typo: greeter.v1.Greeter has no rpc "SayHelo" (its rpcs: SayHello, SayHelloStream, GreetAll, Converse)');
    expect(problems[1]).toMatch(/^bad field \(SayHello\): the recorded request is not a valid greeter\.v1\.HelloRequest: .*nmae/);
    expect(problems[2]).toMatch(/the recorded status code "NOPE" is not a gRPC status/);
  });
});
