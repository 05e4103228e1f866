import { type Attributes, type Exception, type Span, SpanStatusCode } from '@opentelemetry/api';
import { type MethodDescriptor, type RpcError, Status } from '@wirekit/core';
import type { CallOutcome } from '../shared/observe-call.js';
import { splitHostPort, targetServer } from './peer-address.js';

// Attribute and event names of the OpenTelemetry RPC semantic conventions. They are copied rather than imported
// because they sit in the incubating (unstable) part of @opentelemetry/semantic-conventions, which the project
// asks instrumentation libraries to copy; it also keeps @opentelemetry/api the only package the middleware loads.
const ATTR_RPC_SYSTEM = 'rpc.system';
const ATTR_RPC_SERVICE = 'rpc.service';
const ATTR_RPC_METHOD = 'rpc.method';
const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
const ATTR_NETWORK_PEER_ADDRESS = 'network.peer.address';
const ATTR_NETWORK_PEER_PORT = 'network.peer.port';
const ATTR_SERVER_ADDRESS = 'server.address';
const ATTR_SERVER_PORT = 'server.port';
const EVENT_MESSAGE = 'message';
const ATTR_MESSAGE_TYPE = 'message.type';
const ATTR_MESSAGE_ID = 'message.id';

/** The instrumentation scope of every span the middleware starts. */
export const TRACER_NAME = '@wirekit/middleware';

/** Which end of the call a span describes; the two ends disagree on which statuses are errors. */
export type SpanSide = 'server' | 'client';

// The statuses a server span reports as errors: the ones that mean the server failed, not that the caller
// asked for something wrong (NOT_FOUND, INVALID_ARGUMENT, ... are the server doing its job).
const SERVER_ERRORS: ReadonlySet<Status> = new Set([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNIMPLEMENTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

/** `package.Service/Method`: the conventions' span name, the method's path without its leading slash. */
export function spanName(method: MethodDescriptor): string {
  return `${method.service}/${method.name}`;
}

/** The attributes every RPC span starts with. */
export function rpcAttributes(method: MethodDescriptor): Attributes {
  return { [ATTR_RPC_SYSTEM]: 'grpc', [ATTR_RPC_SERVICE]: method.service, [ATTR_RPC_METHOD]: method.name };
}

/** `network.peer.address` and `network.peer.port` of a server span, from the call's peer (`127.0.0.1:53124`). */
export function peerAttributes(peer: string): Attributes {
  const { host, port } = splitHostPort(peer);
  return port === undefined ? { [ATTR_NETWORK_PEER_ADDRESS]: host } : { [ATTR_NETWORK_PEER_ADDRESS]: host, [ATTR_NETWORK_PEER_PORT]: port };
}

/** `server.address` and `server.port` of a client span, from the client's target; none for an unknown target. */
export function serverAttributes(target: string | undefined): Attributes {
  const server = target === undefined ? undefined : targetServer(target);
  if (server === undefined) return {};
  return server.port === undefined
    ? { [ATTR_SERVER_ADDRESS]: server.host }
    : { [ATTR_SERVER_ADDRESS]: server.host, [ATTR_SERVER_PORT]: server.port };
}

/** Whether a status is an error for the given end of the call: any non-OK for a client, a failure of its own for a server. */
export function isErrorStatus(side: SpanSide, code: Status): boolean {
  return side === 'client' ? code !== Status.OK : SERVER_ERRORS.has(code);
}

/** Adds a `message` event per message of a streaming call; each direction numbers its messages from 1. */
export interface MessageEvents {
  sent(): void;
  received(): void;
}

/**
 * The message events of one span, or `undefined` for a unary call (its single request and response say
 * nothing a span's start and end do not) and for a span that is not recording (not sampled), which would drop
 * every event: no attributes are built for it.
 */
export function messageEvents(span: Span, method: MethodDescriptor): MessageEvents | undefined {
  if ((!method.requestStream && !method.responseStream) || !span.isRecording()) return undefined;
  let sent = 0;
  let received = 0;
  return {
    sent: () => {
      sent++;
      span.addEvent(EVENT_MESSAGE, { [ATTR_MESSAGE_TYPE]: 'SENT', [ATTR_MESSAGE_ID]: sent });
    },
    received: () => {
      received++;
      span.addEvent(EVENT_MESSAGE, { [ATTR_MESSAGE_TYPE]: 'RECEIVED', [ATTR_MESSAGE_ID]: received });
    },
  };
}

/** Ends a span with how its call ended: the status code, the exception when one was thrown, and the span status. */
export function endRpcSpan(span: Span, side: SpanSide, outcome: CallOutcome): void {
  span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, outcome.code);
  // An abandoned call threw nothing; there is no exception to record, only its CANCELLED status.
  if (outcome.thrown !== undefined) span.recordException(asException(outcome.thrown, outcome.error));
  if (outcome.error !== undefined && isErrorStatus(side, outcome.code)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.rawMessage });
  }
  span.end();
}

// What was thrown is the better record (the real cause of an INTERNAL error, with its stack), when it is one
// OpenTelemetry can describe; anything else (a number, a plain object) is described by the status it became.
function asException(thrown: unknown, error: RpcError | undefined): Exception {
  if (typeof thrown === 'string') return thrown;
  if (!(thrown instanceof Error)) return error ?? String(thrown);
  // OpenTelemetry names the exception after a `code` property when there is one, which suits Node's system
  // errors ('ECONNRESET') but would name an RpcError after its number; a status is in rpc.grpc.status_code.
  if (typeof (thrown as { code?: unknown }).code === 'number') return { name: thrown.name, message: thrown.message, stack: thrown.stack };
  return thrown;
}
