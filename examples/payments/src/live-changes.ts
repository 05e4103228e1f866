import type { Ledger, LedgerChange, PaymentPage } from './ledger.js';
import { decodeCursor } from './payment-cursor.js';

/**
 * How far the watcher's listing has gone. `through`: the cursor of the last page the listing finished; a page
 * after it is being read (`reading`), or was read and the store is confirming that every change committed
 * before the read has arrived (`confirming`), or is still to come (`between pages`). `done`: it has ended.
 */
type ListingProgress =
  | { readonly phase: 'between pages' | 'reading'; readonly through: bigint }
  | { readonly phase: 'confirming'; readonly through: bigint; readonly page: PaymentPage }
  | { readonly phase: 'done' };

/** What the changes this watcher holds are, for tests that check it holds nothing per listed payment. */
export interface RetainedChanges {
  /** Changes waiting to be sent. */
  readonly waiting: number;
  /** Changes that arrived while a page was being read, waiting for it to be checked against. */
  readonly undecided: number;
}

/**
 * The live changes one watcher has not sent yet, minus those its listing of existing payments shows: subscribed
 * at construction, before the listing, so nothing falls between the two. At most `limit` are kept; past the
 * limit it stops listening and `next` answers `'overflow'`, so a slow reader costs bounded memory.
 *
 * Which changes the listing shows is decided from where it stands, never from a record of what it listed, so a
 * watcher's memory does not grow with the ledger. A change to a payment past the pages read so far is shown by
 * a later page (read after the change arrived, so after its commit) and is dropped. A change to a payment in a
 * finished page is sent: it arrived after that page was read and checked. A change that arrives while a page is
 * read is checked against that page, and so is every change until the store confirms (`changesDelivered`) that
 * each one committed before the read has arrived: on PostgreSQL a change can arrive after a read that shows it,
 * and positions can commit out of order, so a page may not show a payment that sorts before its last one.
 */
export class LiveChanges {
  readonly #ledger: Ledger;
  readonly #queue: LedgerChange[] = [];
  /** The changes that arrived while a page was being read. */
  readonly #undecided: LedgerChange[] = [];
  readonly #unsubscribe: () => void;
  #listing: ListingProgress = { phase: 'between pages', through: 0n };
  #overflowed = false;
  #wake: (() => void) | undefined;

  /** Starts listening to `ledger` for changes to `customerId`'s payments (empty: everyone's). */
  constructor(ledger: Ledger, customerId: string, limit: number) {
    this.#ledger = ledger;
    this.#unsubscribe = ledger.subscribe((change) => {
      if (this.#overflowed || (customerId !== '' && change.payment.customerId !== customerId)) return;
      const listing = this.#listing;
      if (listing.phase === 'between pages' && decodeCursor(change.cursor) > listing.through) return;
      if (listing.phase === 'confirming' && shows(listing.page, listing.through, change)) return;
      if (this.#queue.length + this.#undecided.length >= limit) {
        this.#overflowed = true;
        this.#queue.length = 0;
        this.#undecided.length = 0;
        this.#unsubscribe();
      } else {
        (listing.phase === 'reading' ? this.#undecided : this.#queue).push(change);
      }
      this.#wake?.();
    });
  }

  /**
   * Reads the listing's next page with `read` (which must ask for the payments after the previous page's
   * cursor), and settles which changes that arrived meanwhile the page shows. Pages are read one at a time.
   */
  async readPage(read: () => Promise<PaymentPage>): Promise<PaymentPage> {
    const listing = this.#listing;
    if (listing.phase === 'done') throw new Error('the listing has ended: the last page had no more after it');
    if (listing.phase !== 'between pages') throw new Error('a page is being read already: read pages one at a time');
    const { through } = listing;
    this.#listing = { phase: 'reading', through };
    const page = await read();
    for (const change of this.#undecided.splice(0)) if (!shows(page, through, change)) this.#queue.push(change);
    this.#listing = { phase: 'confirming', through, page };
    await this.#ledger.changesDelivered();
    this.#listing = page.hasMore ? { phase: 'between pages', through: decodeCursor(page.cursor) } : { phase: 'done' };
    return page;
  }

  /** The next change, waiting for one; throws the signal's reason when it aborts first. */
  async next(signal: AbortSignal): Promise<LedgerChange | 'overflow'> {
    for (;;) {
      signal.throwIfAborted();
      if (this.#overflowed) return 'overflow';
      const change = this.#queue.shift();
      if (change) return change;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake);
          this.#wake = undefined;
          resolve();
        };
        this.#wake = wake;
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Everything this watcher holds: at most `limit` changes, whatever the size of the ledger. */
  retained(): RetainedChanges {
    return { waiting: this.#queue.length, undecided: this.#undecided.length };
  }

  /** Stops listening; safe to call more than once. */
  close(): void {
    this.#unsubscribe();
    this.#queue.length = 0;
    this.#undecided.length = 0;
  }
}

/**
 * Whether `page`, the payments after `through`, shows `change`, which arrived while the page was read and
 * before the store confirmed it had delivered every change committed before the read.
 */
function shows(page: PaymentPage, through: bigint, change: LedgerChange): boolean {
  const position = decodeCursor(change.cursor);
  // An earlier page was read and checked before this change arrived: it committed after that read.
  if (position <= through) return false;
  // A later page is read after this change arrived, so after its commit; without one, the page would have
  // included the payment had it been committed.
  if (position > decodeCursor(page.cursor)) return page.hasMore;
  const listed = page.payments.find((payment) => payment.paymentId === change.payment.paymentId);
  if (!listed) return false;
  return change.kind === 'created' || listed.status === 'PAYMENT_STATUS_SETTLED';
}
