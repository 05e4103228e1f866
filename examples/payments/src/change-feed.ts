import type { LedgerChange, LedgerListener } from './ledger.js';

/** The listeners of one store instance, called in process after a commit (the memory and SQLite stores). */
export class ChangeFeed {
  readonly #listeners = new Set<LedgerListener>();

  /** Adds a listener; the returned function removes it (subscribing one function twice gives two entries). */
  subscribe(listener: LedgerListener): () => void {
    const entry: LedgerListener = (change) => listener(change);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Calls every listener. A throwing listener must not undo or fail the committed change, so it becomes a warning. */
  emit(change: LedgerChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error: unknown) {
        process.emitWarning(error instanceof Error ? error : String(error), 'LedgerListenerWarning');
      }
    }
  }
}
