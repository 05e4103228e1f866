/** The largest page a listing returns, so one request cannot make a store read a whole ledger at once. */
export const MAX_PAGE_SIZE = 1000;

/** The cursor of a payment's position (its recording sequence number). Opaque to callers. */
export function encodeCursor(position: bigint): string {
  return position.toString();
}

/** The position after which to continue: 0 for none; a cursor this module did not make throws a RangeError. */
export function decodeCursor(cursor: string | undefined): bigint {
  if (cursor === undefined || cursor === '') return 0n;
  if (!/^[0-9]{1,19}$/.test(cursor)) throw new RangeError(`"${cursor}" is not a payments cursor; pass the cursor of a previous page`);
  return BigInt(cursor);
}

/** Checks a page size: an integer from 1 to `MAX_PAGE_SIZE`. */
export function checkPageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${limit}`);
  }
  return limit;
}
