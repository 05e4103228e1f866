import { describe, expect, it } from 'vitest';
import { ReplayableRequests } from './replayable-requests.js';

async function* counted<T>(items: readonly T[], reads: { count: number }): AsyncGenerator<T> {
  for (const item of items) {
    reads.count++;
    yield item;
  }
}

async function take<T>(source: AsyncIterator<T>, count: number): Promise<T[]> {
  const taken: T[] = [];
  for (let index = 0; index < count; index++) {
    const next = await source.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

const length = (message: string): number => message.length;

describe('ReplayableRequests', () => {
  it('replays what was read, then reads on, reading the source once', async () => {
    const reads = { count: 0 };
    const requests = new ReplayableRequests(counted(['a', 'b', 'c', 'd'], reads), 100, length);
    expect(await take(requests.replay(), 2)).toEqual(['a', 'b']);
    expect(await take(requests.replay(), 10)).toEqual(['a', 'b', 'c', 'd']);
    expect(await take(requests.replay(), 10)).toEqual(['a', 'b', 'c', 'd']);
    expect(reads.count).toBe(4);
    expect(requests.replayable).toBe(true);
  });

  it('stops a retired pass from reading on, so the next attempt gets every message', async () => {
    const requests = new ReplayableRequests(counted(['a', 'b', 'c'], { count: 0 }), 100, length);
    const first = requests.replay();
    expect(await take(first, 1)).toEqual(['a']);
    const second = requests.replay();
    expect(await take(first, 5)).toEqual([]);
    expect(await take(second, 5)).toEqual(['a', 'b', 'c']);
  });

  it('is no longer replayable once the stream outgrows the budget, but still delivers every message', async () => {
    const requests = new ReplayableRequests(counted(['aaaa', 'bbbb', 'cccc', 'dddd'], { count: 0 }), 6, length);
    const pass = requests.replay();
    expect(await take(pass, 1)).toEqual(['aaaa']);
    expect(requests.replayable).toBe(true);
    expect(await take(pass, 1)).toEqual(['bbbb']);
    expect(requests.replayable).toBe(false);
    expect(await take(pass, 5)).toEqual(['cccc', 'dddd']);
  });

  it('counts a message it cannot measure as over the budget', async () => {
    const requests = new ReplayableRequests(counted(['x'], { count: 0 }), 1_000, () => {
      throw new TypeError('not encodable');
    });
    expect(await take(requests.replay(), 5)).toEqual(['x']);
    expect(requests.replayable).toBe(false);
  });

  it('lets the source go when closed', async () => {
    let released = false;
    async function* source() {
      try {
        yield 'a';
        yield 'b';
      } finally {
        released = true;
      }
    }
    const requests = new ReplayableRequests(source(), 100, length);
    await take(requests.replay(), 1);
    requests.close();
    await Promise.resolve();
    expect(released).toBe(true);
  });
});
