import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { readRequests } from './request-stream.js';
import { END_NEAR_DEADLINE_HOLD_MS, ServerCallContext } from './server-call-context.js';

/** The parts of a grpc-js server call the context reads, with a deadline chosen by the test. */
function callWithDeadline(deadline: number) {
  return Object.assign(new EventEmitter(), {
    metadata: new GrpcMetadata(),
    cancelled: false,
    getPeer: () => '127.0.0.1:1',
    getDeadline: () => deadline,
    sendMetadata: () => {},
    getAuthContext: () => ({}),
  });
}

const method = {
  path: '/p.S/M',
  service: 'p.S',
  name: 'M',
  mode: 'client_streaming',
  requestStream: true,
  responseStream: false,
  idempotency: 'unknown',
  options: new Map(),
  requestToJson: () => ({}),
  responseToJson: () => ({}),
} as const;
const codec = EchoService.methods.Collect.requestCodec;

async function drain(readable: PassThrough, context: ServerCallContext): Promise<unknown> {
  const messages = [];
  try {
    for await (const message of readRequests(readable, codec, context.signal, () => context.confirmRequestEnd())) messages.push(message);
    return messages;
  } catch (error: unknown) {
    return error;
  }
}

describe('the request stream of a handler', () => {
  it('ends with DEADLINE_EXCEEDED when it ends after the deadline, before grpc-js reported the expiry', async () => {
    const context = new ServerCallContext(method, callWithDeadline(Date.now() - 1));
    const readable = new PassThrough({ objectMode: true });
    readable.end(Buffer.from(codec.encode({ message: 'late', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })));
    const outcome = await drain(readable, context);
    expect(outcome).toBeInstanceOf(RpcError);
    expect((outcome as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
    expect(context.signal.aborted).toBe(true);
  });

  it('holds an end that arrives just before the deadline, and ends with DEADLINE_EXCEEDED once it passes', async () => {
    const context = new ServerCallContext(method, callWithDeadline(Date.now() + END_NEAR_DEADLINE_HOLD_MS / 2));
    const readable = new PassThrough({ objectMode: true });
    readable.end(Buffer.from(codec.encode({ message: 'nearly late', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })));
    const outcome = await drain(readable, context);
    expect((outcome as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('ends with CANCELLED when the cancellation arrives while an end near the deadline is held', async () => {
    // Inside the hold, yet far enough from the deadline that a cancellation is not taken for the deadline.
    const call = callWithDeadline(Date.now() + END_NEAR_DEADLINE_HOLD_MS - 5);
    const context = new ServerCallContext(method, call);
    const readable = new PassThrough({ objectMode: true });
    // The RST_STREAM that follows a Node.js client's END_STREAM, arriving as soon as the end is seen.
    readable.once('end', () => call.emit('cancelled'));
    readable.end(Buffer.from(codec.encode({ message: 'cancelled', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })));
    const outcome = await drain(readable, context);
    expect((outcome as RpcError).code).toBe(Status.CANCELLED);
  });

  it('ends normally when it ends in time', async () => {
    const context = new ServerCallContext(method, callWithDeadline(Date.now() + 60_000));
    const readable = new PassThrough({ objectMode: true });
    readable.end(Buffer.from(codec.encode({ message: 'in time', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })));
    expect(await drain(readable, context)).toMatchObject([{ message: 'in time' }]);
    expect(context.signal.aborted).toBe(false);
  });
});
