import type { CallContext } from '../call-context.js';
import { BidiStreamingMethod, ClientStreamingMethod, ServerStreamingMethod, UnaryMethod } from '../decorators/method.js';
import { Service } from '../decorators/service.js';
import type { MessageInit } from '../message-init.js';
import { RpcError } from '../rpc-error.js';
import type { Status } from '../status.js';
import { type CollectResponse, type EchoRequest, type EchoResponse, EchoService, type ExpandRequest } from './echo.generated.js';

/** A straightforward implementation of every mode of the test service, with decorators. */
@Service(EchoService)
export class EchoHandlers {
  @UnaryMethod()
  async echo(request: EchoRequest, _ctx: CallContext): Promise<MessageInit<EchoResponse>> {
    failIfAsked(request);
    return { message: request.message, sequence: request.sequence, payload: request.payload };
  }

  @ServerStreamingMethod()
  async *expand(request: ExpandRequest, _ctx: CallContext): AsyncGenerator<MessageInit<EchoResponse>> {
    for (let index = 0; index < request.count; index++) {
      yield { message: `${request.message}-${index}`, sequence: BigInt(index), payload: new Uint8Array(request.payloadBytes) };
    }
    failIfAsked(request);
  }

  @ClientStreamingMethod()
  async collect(requests: AsyncIterable<EchoRequest>, _ctx: CallContext): Promise<MessageInit<CollectResponse>> {
    const messages: string[] = [];
    let sequenceTotal = 0n;
    for await (const request of requests) {
      failIfAsked(request);
      messages.push(request.message);
      sequenceTotal += request.sequence;
    }
    return { count: messages.length, joined: messages.join(','), sequenceTotal };
  }

  @BidiStreamingMethod()
  async *chat(requests: AsyncIterable<EchoRequest>, _ctx: CallContext): AsyncGenerator<MessageInit<EchoResponse>> {
    for await (const request of requests) {
      failIfAsked(request);
      yield { message: request.message.toUpperCase(), sequence: request.sequence };
    }
  }
}

function failIfAsked(request: EchoRequest | ExpandRequest): void {
  if (request.failWithCode !== 0) throw new RpcError(request.failWithCode as Status, `failed as asked: ${request.message}`);
}
