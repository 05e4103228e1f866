/**
 * A request stream that can be sent again: the messages read so far are kept (up to a byte budget), so a retry
 * replays them before it reads on from the source. Past the budget the stream can no longer be replayed, and
 * the call stays with the attempt in flight (gRFC A6 calls it "committed").
 *
 * Memory is bounded by the budget plus one message, and freed with the call.
 *
 * @example
 * const requests = new ReplayableRequests(call.requests, 64 * 1024, (message) => codec.encode(message).byteLength);
 * next({ ...call, requests: requests.replay() }); // again for each attempt, while requests.replayable
 */
export class ReplayableRequests<T> {
  readonly #source: AsyncIterator<T>;
  readonly #limitBytes: number;
  readonly #measure: (message: T) => number;
  readonly #kept: T[] = [];
  #keptBytes = 0;
  #readCount = 0;
  #overflowed = false;
  #done = false;
  #closed = false;
  #pending: Promise<IteratorResult<T>> | undefined;
  #pass = 0;

  constructor(source: AsyncIterable<T>, limitBytes: number, measure: (message: T) => number) {
    this.#source = source[Symbol.asyncIterator]();
    this.#limitBytes = limitBytes;
    this.#measure = measure;
  }

  /** Whether another attempt could be sent every message: nothing was dropped from the buffer. */
  get replayable(): boolean {
    return !this.#overflowed;
  }

  /**
   * One pass over the stream for one attempt: the kept messages, then the rest of the source as it comes.
   * Starting a pass retires the previous one, which ends rather than read on: an attempt that failed must not
   * take messages meant for the next.
   */
  replay(): AsyncGenerator<T, void, undefined> {
    // Counted now, not when the generator first runs, so the previous pass is retired from this moment.
    return this.#iterate(++this.#pass);
  }

  async *#iterate(pass: number): AsyncGenerator<T, void, undefined> {
    for (let index = 0; !this.#closed; index++) {
      if (index < this.#kept.length) {
        yield this.#kept[index] as T;
        continue;
      }
      if (pass !== this.#pass) return;
      if (index < this.#readCount) {
        // Every message up to the one that crossed the budget is kept, and only the newest pass reads on, so
        // this cannot happen; ending the stream here would send the server a truncated stream as if complete.
        throw new Error('a request message was read but not kept for the retry');
      }
      if (this.#done) return;
      const next = await this.#pull();
      if (next.done) return;
      yield next.value;
    }
  }

  /** Lets the source go when the call is over; a read still waiting on it is not awaited. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kept.length = 0;
    if (!this.#done) this.#source.return?.().catch(() => {});
  }

  // Reads the next message of the source once, however many passes wait for it.
  #pull(): Promise<IteratorResult<T>> {
    this.#pending ??= this.#source.next().then((result) => {
      this.#pending = undefined;
      if (result.done) {
        this.#done = true;
        return result;
      }
      this.#readCount++;
      this.#keep(result.value);
      return result;
    });
    return this.#pending;
  }

  #keep(message: T): void {
    if (this.#overflowed) return;
    let size: number;
    try {
      size = this.#measure(message);
    } catch {
      // A message that cannot be measured cannot be encoded either: the attempt fails on it, and is not retried.
      size = Number.POSITIVE_INFINITY;
    }
    this.#keptBytes += size;
    // The message that crosses the budget is kept all the same, so that a retry decided while it was being read
    // still gets every message; nothing after it is.
    this.#kept.push(message);
    if (this.#keptBytes > this.#limitBytes) this.#overflowed = true;
  }
}
