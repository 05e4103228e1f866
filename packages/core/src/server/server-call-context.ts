import { setImmediate as nextTurn, setTimeout as sleepUntil } from 'node:timers/promises';
import type { PeerCertificate } from 'node:tls';
import type { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import type { CallContext, MethodDescriptor } from '../call-context.js';
import { type ContextKey, ContextValues } from '../context-key.js';
import { fromGrpcMetadata, toGrpcMetadata } from '../grpc-metadata.js';
import { Metadata, type MetadataInit } from '../metadata.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';

/**
 * A client's cancellation that arrives this close to the deadline is reported as DEADLINE_EXCEEDED: a client whose
 * deadline passed resets the stream at its own deadline, which reaches the server before the server's (set later,
 * when the headers arrived); on a busy machine seen more than 10 ms early.
 */
const DEADLINE_TOLERANCE_MS = 25;

/**
 * A request stream that ends this close to its deadline is held until the deadline before its end is believed.
 * A client whose deadline passed ends its stream at about the moment the server's own deadline does (the server's
 * runs a little later, by the time the headers took to arrive), and a Node.js client ends it with END_STREAM
 * before its RST_STREAM; without the hold the server would take an expired import for a complete one.
 */
export const END_NEAR_DEADLINE_HOLD_MS = 50;

/** The parts of a grpc-js server call that every mode has. */
export interface GrpcServerCall {
  readonly metadata: GrpcMetadata;
  readonly cancelled: boolean;
  getPeer(): string;
  getDeadline(): Date | number;
  sendMetadata(metadata: GrpcMetadata): void;
  getAuthContext(): { readonly sslPeerCertificate?: PeerCertificate };
  on(event: 'cancelled', listener: (cause?: unknown) => void): unknown;
  removeListener(event: 'cancelled', listener: (cause?: unknown) => void): unknown;
}

/** The server's `CallContext`: built around one grpc-js call, aborted on cancel or deadline. */
export class ServerCallContext implements CallContext {
  readonly method: MethodDescriptor;
  readonly #call: GrpcServerCall;
  // Made on first use: most unary handlers never read their signal, and an AbortController per call is a
  // measurable share of a call's cost.
  #abort: AbortController | undefined;
  #abortReason: RpcError | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  // Header, trailer, values and the metadata copy are made on first use too: most calls touch none of them.
  #header: Metadata | undefined;
  #trailer: Metadata | undefined;
  #values: ContextValues | undefined;
  #metadata: Metadata | undefined;
  #headerSent = false;
  #ended = false;
  readonly #onCancelled = (cause?: unknown): void => this.#cancelledByPeer(cause);

  constructor(method: MethodDescriptor, call: GrpcServerCall) {
    this.method = method;
    this.#call = call;
    // `on`, not `once`: `end()` removes it, and `once` would wrap it in one more closure per call.
    call.on('cancelled', this.#onCancelled);
  }

  get header(): Metadata {
    this.#header ??= new Metadata();
    return this.#header;
  }

  get trailer(): Metadata {
    this.#trailer ??= new Metadata();
    return this.#trailer;
  }

  /** Whether a response header was set and not sent yet, without making an empty header to find out. */
  get headerPending(): boolean {
    return !this.#headerSent && this.#header !== undefined && this.#header.size > 0;
  }

  /** The trailers to send with an OK status; `undefined` when none were set, so grpc-js sends its empty default. */
  grpcTrailers(): GrpcMetadata | undefined {
    return this.#trailer === undefined || this.#trailer.size === 0 ? undefined : toGrpcMetadata(this.#trailer);
  }

  get metadata(): Metadata {
    // Built on first use: most handlers never read metadata, and the copy costs a map per call.
    this.#metadata ??= fromGrpcMetadata(this.#call.metadata);
    return this.#metadata;
  }

  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#abortReason) this.#abort.abort(this.#abortReason);
      else this.#armDeadline();
    }
    return this.#abort.signal;
  }

  get abortReason(): RpcError | undefined {
    return this.#abortReason;
  }

  get deadline(): Date | undefined {
    const deadline = this.#call.getDeadline();
    const time = deadline instanceof Date ? deadline.getTime() : deadline;
    return Number.isFinite(time) ? new Date(time) : undefined;
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  get peerCertificate(): PeerCertificate | undefined {
    const certificate = this.#call.getAuthContext().sslPeerCertificate;
    // Node reports an empty object when the peer sent no certificate.
    return certificate && Object.keys(certificate).length > 0 ? certificate : undefined;
  }

  get headerSent(): boolean {
    return this.#headerSent;
  }

  /** Whether the call ended (status sent) or was cancelled. */
  get ended(): boolean {
    return this.#ended || this.#abortReason !== undefined;
  }

  sendHeader(extra?: MetadataInit): void {
    if (this.#headerSent) return;
    if (extra) for (const [key, value] of new Metadata(extra)) this.header.append(key, value);
    this.#headerSent = true;
    this.#call.sendMetadata(toGrpcMetadata(this.header));
  }

  get<T>(key: ContextKey<T>): T {
    return this.#values === undefined ? key.defaultValue : this.#values.get(key);
  }

  set<T>(key: ContextKey<T>, value: T): void {
    this.#values ??= new ContextValues();
    this.#values.set(key, value);
  }

  /** Throws the abort reason if the call was aborted: `signal.throwIfAborted()` without making the signal. */
  throwIfAborted(): void {
    if (this.#abortReason) throw this.#abortReason;
  }

  /** Aborts the handler's signal, e.g. when a shutdown's grace period is over. */
  abort(reason: RpcError): void {
    if (this.#abortReason) return;
    this.#abortReason = reason;
    clearTimeout(this.#deadlineTimer);
    this.#abort?.abort(reason);
  }

  /**
   * Resolves when the client's end of its request stream can be believed, having aborted the call if it was in
   * truth cancelled or expired. Two turns of the event loop let an I/O poll read the RST_STREAM that a Node.js
   * client writes right after its END_STREAM when it cancels; an end within `END_NEAR_DEADLINE_HOLD_MS` of the
   * deadline waits for the deadline (or the cancellation) first, since there the two cannot be told apart.
   */
  async confirmRequestEnd(): Promise<void> {
    await nextTurn();
    await nextTurn();
    const deadline = this.deadline;
    const remainingMs = deadline === undefined ? Number.POSITIVE_INFINITY : deadline.getTime() - Date.now();
    if (remainingMs < END_NEAR_DEADLINE_HOLD_MS && !this.signal.aborted) {
      // Past the deadline, +1 ms: timers may fire a millisecond before Date.now() shows the time reached.
      await sleepUntil(Math.max(remainingMs, 0) + 1, undefined, { signal: this.signal }).catch(() => {});
    }
    this.expireIfLate();
  }

  /** Aborts with DEADLINE_EXCEEDED when the deadline has passed, whether or not grpc-js has said so yet. */
  expireIfLate(): void {
    const deadline = this.deadline;
    if (deadline !== undefined && Date.now() >= deadline.getTime()) {
      this.abort(new RpcError(Status.DEADLINE_EXCEEDED, 'the deadline of the call passed'));
    }
  }

  /** Marks the call finished: later cancellation events (grpc-js sends one when the stream closes) are ignored. */
  end(): void {
    this.#ended = true;
    clearTimeout(this.#deadlineTimer);
    this.#call.removeListener('cancelled', this.#onCancelled);
  }

  /**
   * Aborts the signal when the deadline passes, on the server's own clock. grpc-js tells the handler only once
   * the stream closes, and a stream whose client stopped reading never closes: its status waits behind data the
   * client does not take, so a handler waiting for `drain` (or for a request the client never sends) would wait
   * for ever. Armed with the signal, so a handler that never looks at it pays nothing.
   */
  #armDeadline(): void {
    const deadline = this.deadline;
    if (deadline === undefined) return;
    // +1 ms: timers may fire a millisecond before Date.now() shows the time reached.
    this.#deadlineTimer = setTimeout(() => this.expireIfLate(), Math.max(deadline.getTime() - Date.now(), 0) + 1);
    this.#deadlineTimer.unref();
  }

  #cancelledByPeer(cause: unknown): void {
    if (this.#ended) return;
    const deadline = this.deadline;
    // grpc-js reports a deadline as a plain cancellation, and the client's reset can arrive a little before the
    // server's own deadline, hence the tolerance. The in-memory transport says 'deadline' outright.
    const expired = cause === 'deadline' || (deadline !== undefined && Date.now() >= deadline.getTime() - DEADLINE_TOLERANCE_MS);
    this.abort(
      expired
        ? new RpcError(Status.DEADLINE_EXCEEDED, 'the deadline of the call passed')
        : new RpcError(Status.CANCELLED, 'the client cancelled the call'),
    );
  }
}
