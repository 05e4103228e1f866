/**
 * The responses of one in-memory call as the client reads them: messages wait here until the client asks for
 * them, and each message's `consumed` callback runs only then, so a slow reader holds the server back.
 */
export class ResponseQueue implements AsyncIterable<Buffer> {
  readonly #items: { readonly bytes: Buffer; readonly consumed: () => void }[] = [];
  #outcome: { readonly error?: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(bytes: Buffer, consumed: () => void): void {
    if (this.#outcome) return;
    this.#items.push({ bytes, consumed });
    this.#notify();
  }

  /** The stream ended well: readers get the messages already queued, then the end. */
  end(): void {
    this.#outcome ??= {};
    this.#notify();
  }

  /**
   * The call failed. A status from the server comes after the messages it sent, as on the network; a local end
   * (the caller cancelled, the deadline passed) drops what was not read yet.
   */
  fail(error: unknown, dropQueued: boolean): void {
    if (this.#outcome) return;
    this.#outcome = { error };
    if (dropQueued) this.#items.length = 0;
    this.#notify();
  }

  get settled(): boolean {
    return this.#outcome !== undefined;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    while (true) {
      const item = this.#items.shift();
      if (item) {
        item.consumed();
        yield item.bytes;
        continue;
      }
      if (this.#outcome) {
        if ('error' in this.#outcome) throw this.#outcome.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
