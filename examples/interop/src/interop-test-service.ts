import { setTimeout as sleep } from 'node:timers/promises';
import {
  BidiStreamingMethod,
  type CallContext,
  ClientStreamingMethod,
  type MessageInit,
  RpcError,
  ServerStreamingMethod,
  Service,
  Status,
  UnaryMethod,
} from '@wirekit/core';
import { echoMetadata } from './echo-metadata.js';
import { echoStatusError } from './echo-status.js';
import {
  type Empty,
  type Payload,
  type PayloadType,
  type ResponseParameters,
  type SimpleRequest,
  type SimpleResponse,
  type StreamingInputCallRequest,
  type StreamingInputCallResponse,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponse,
  TestService,
} from './gen/test.js';
import { zeroPayload } from './payload.js';

/**
 * `grpc.testing.TestService` as the interop descriptions' "Server" section specifies it, on Wirekit's
 * decorators. `UnimplementedCall` has no handler, so calls to it get UNIMPLEMENTED; `UnimplementedService` is
 * not served at all, as its proto says.
 *
 * Compression, where grpc-js sets the limits (see docs/reliability.md, "Interop"):
 * - `expect_compressed` is not enforced. The CompressedRequest feature wants INVALID_ARGUMENT for a request
 *   that says it was compressed but was not; grpc-js 1.14 decompresses before any handler runs, removes
 *   `grpc-encoding` from the metadata and passes on no per-message compressed flag, so no handler can tell.
 *   Rejecting every `expect_compressed: true` would fail the genuinely compressed requests instead.
 * - `response_compressed` and `ResponseParameters.compressed` are not honoured: grpc-js 1.14's server always
 *   sends messages uncompressed (CompressedResponse is not implemented).
 */
@Service(TestService, { allowUnimplemented: true })
export class InteropTestService {
  @UnaryMethod()
  emptyCall(_request: Empty, ctx: CallContext): Empty {
    echoMetadata(ctx);
    return {};
  }

  @UnaryMethod()
  unaryCall(request: SimpleRequest, ctx: CallContext): MessageInit<SimpleResponse> {
    echoMetadata(ctx);
    const status = echoStatusError(request.responseStatus);
    if (status) throw status;
    return { payload: responsePayload(request.responseType, request.responseSize) };
  }

  /**
   * UnaryCall with a payload that differs on every call (the time in nanoseconds, in ASCII) and headers that let
   * a caching proxy keep the response for 60 s. The GET-based `cacheable_unary` case needs such a proxy; no
   * client case here runs it.
   */
  @UnaryMethod()
  cacheableUnaryCall(_request: SimpleRequest, ctx: CallContext): MessageInit<SimpleResponse> {
    echoMetadata(ctx);
    ctx.sendHeader({ 'cache-control': 'max-age=60, public' });
    return { payload: { type: 'COMPRESSABLE', body: new TextEncoder().encode(String(process.hrtime.bigint())) } };
  }

  @ServerStreamingMethod()
  async *streamingOutputCall(request: StreamingOutputCallRequest, ctx: CallContext): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    const status = echoStatusError(request.responseStatus);
    if (status) throw status;
    yield* respond(request, ctx.signal);
  }

  @ClientStreamingMethod()
  async streamingInputCall(requests: AsyncIterable<StreamingInputCallRequest>, ctx: CallContext): Promise<StreamingInputCallResponse> {
    echoMetadata(ctx);
    let aggregatedPayloadSize = 0;
    for await (const request of requests) aggregatedPayloadSize += request.payload?.body.byteLength ?? 0;
    return { aggregatedPayloadSize };
  }

  @BidiStreamingMethod()
  async *fullDuplexCall(
    requests: AsyncIterable<StreamingOutputCallRequest>,
    ctx: CallContext,
  ): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    for await (const request of requests) {
      const status = echoStatusError(request.responseStatus);
      if (status) throw status;
      yield* respond(request, ctx.signal);
    }
  }

  @BidiStreamingMethod()
  async *halfDuplexCall(
    requests: AsyncIterable<StreamingOutputCallRequest>,
    ctx: CallContext,
  ): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    const buffered: StreamingOutputCallRequest[] = [];
    for await (const request of requests) buffered.push(request);
    for (const request of buffered) {
      const status = echoStatusError(request.responseStatus);
      if (status) throw status;
      yield* respond(request, ctx.signal);
    }
  }
}

/** A payload of `size` zeros of the asked type; the suite defines only COMPRESSABLE. */
function responsePayload(type: PayloadType | number, size: number): Payload {
  if (type !== 'COMPRESSABLE') throw new RpcError(Status.INVALID_ARGUMENT, `response_type ${type} is not supported`);
  return zeroPayload(size);
}

/** One response per `ResponseParameters`, each after its `interval_us` ("Observe ResponseParameters.interval_us"). */
async function* respond(request: StreamingOutputCallRequest, signal: AbortSignal): AsyncGenerator<StreamingOutputCallResponse> {
  for (const parameters of request.responseParameters) {
    await waitInterval(parameters, signal);
    yield { payload: responsePayload(request.responseType, parameters.size) };
  }
}

async function waitInterval({ intervalUs }: ResponseParameters, signal: AbortSignal): Promise<void> {
  if (intervalUs <= 0) return;
  await sleep(intervalUs / 1000, undefined, { signal }).catch(() => {
    throw signal.reason;
  });
}
