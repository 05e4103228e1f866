import { describe, expect, it } from 'vitest';
import { capBytes, messageJson, PayloadLog, type ToJson } from './payload-log.js';

/** The JSON mapping of a message that is plain JSON already, as a method's `toJson` gives it. */
const asIs: ToJson = (message) => message as never;

describe('payload log', () => {
  it('writes 64-bit integers as strings and bytes as base64, Buffers included', () => {
    expect(messageJson({ id: 2n ** 64n, raw: new Uint8Array([1, 2, 3]), buffer: Buffer.from('hi'), nested: [{ n: 1n }] }, 100)).toBe(
      '{"id":"18446744073709551616","raw":"AQID","buffer":"aGk=","nested":[{"n":"1"}]}',
    );
  });

  it('shows only the first maxBytes of a large bytes field', () => {
    expect(messageJson({ raw: new Uint8Array(10) }, 3)).toBe('{"raw":"AAAA…(10 bytes)"}');
  });

  it('cuts text at a byte budget without splitting a character', () => {
    expect(capBytes('short', 10)).toBe('short');
    expect(capBytes('ééééé', 5)).toBe('éé…(truncated)');
    expect(capBytes('a😀b', 3)).toBe('a…(truncated)');
  });

  it('collects a stream as a JSON array and stops serializing once the budget is spent', () => {
    const log = new PayloadLog(20, true, asIs);
    let serialized = 0;
    const message = (n: number) => ({
      toJSON() {
        serialized++;
        return { n };
      },
    });
    for (let n = 0; n < 100; n++) log.add(message(n));
    expect(log.text()).toBe('[{"n":0},{"n":1},{"n…(truncated)');
    expect(serialized).toBeLessThan(5);
  });

  it('keeps a single message as an object, and has no text when nothing went by', () => {
    const single = new PayloadLog(100, false, asIs);
    expect(single.text()).toBeUndefined();
    single.add({ name: 'Ada' });
    expect(single.text()).toBe('{"name":"Ada"}');
  });

  it("writes what the method's toJson gives, and has no problem to report", () => {
    const log = new PayloadLog(100, false, (message) => ({ shown: String((message as { id: bigint }).id) }));
    log.add({ id: 7n });
    expect(log.text()).toBe('{"shown":"7"}');
    expect(log.problem()).toBeUndefined();
  });

  it('falls back to plain JSON for a message toJson refuses, and says why', () => {
    const refuses: ToJson = (message) => {
      if ((message as { n: number }).n === 2) throw new TypeError('kitchen.v1.KitchenSink.dynamic: NaN cannot be shown in JSON');
      return { canonical: (message as { n: number }).n };
    };
    const log = new PayloadLog(200, true, refuses);
    log.add({ n: 1 });
    log.add({ n: 2, id: 3n });
    log.add({ n: 3 });
    expect(log.text()).toBe('[{"canonical":1},{"n":2,"id":"3"},{"canonical":3}]');
    expect(log.problem()).toBe('kitchen.v1.KitchenSink.dynamic: NaN cannot be shown in JSON');
  });
});
