import { LookupBatcher } from './lookup-batcher.js';

/** A lookup whose queries the test answers by hand, recording the keys each one carried. */
function manualLookup() {
  const queries: { keys: readonly number[]; answer(): void; fail(error: Error): void }[] = [];
  const batcher = new LookupBatcher<number, string>(
    (keys) =>
      new Promise((resolve, reject) => {
        queries.push({ keys, answer: () => resolve(keys.map((k) => `value-${k}`)), fail: reject });
      }),
  );
  return { batcher, queries };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LookupBatcher', () => {
  test('a lone lookup goes out at once', async () => {
    const { batcher, queries } = manualLookup();
    const value = batcher.get(7);
    expect(queries.map((q) => q.keys)).toEqual([[7]]);
    queries[0]!.answer();
    await expect(value).resolves.toBe('value-7');
  });

  test('lookups asked while two queries are out go together in the next, each getting its own answer', async () => {
    const { batcher, queries } = manualLookup();
    const values = [1, 2, 3, 4, 5, 3].map((k) => batcher.get(k));
    expect(queries.map((q) => q.keys)).toEqual([[1], [2]]);
    queries[0]!.answer();
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1], [2], [3, 4, 5, 3]]);
    queries[1]!.answer();
    queries[2]!.answer();
    await expect(Promise.all(values)).resolves.toEqual(['value-1', 'value-2', 'value-3', 'value-4', 'value-5', 'value-3']);
  });

  test('a lookup is never answered by a query sent before it was asked', async () => {
    const { batcher, queries } = manualLookup();
    void batcher.get(1);
    void batcher.get(2);
    const late = batcher.get(1);
    queries[0]!.answer();
    await settle();
    expect(queries[2]!.keys).toEqual([1]);
    queries[1]!.answer();
    queries[2]!.answer();
    await expect(late).resolves.toBe('value-1');
  });

  test('a failed query fails only the lookups it carried', async () => {
    const { batcher, queries } = manualLookup();
    const first = batcher.get(1);
    const second = batcher.get(2);
    queries[0]!.fail(new Error('connection lost'));
    queries[1]!.answer();
    await expect(first).rejects.toThrow('connection lost');
    await expect(second).resolves.toBe('value-2');
  });

  test('an answer of the wrong length fails its lookups instead of mismatching them', async () => {
    const batcher = new LookupBatcher<number, number>(async (keys) => keys.slice(1));
    await expect(batcher.get(1)).rejects.toThrow('lookup answered 0 of 1 keys');
  });

  test('at most 256 keys go in one query', async () => {
    const { batcher, queries } = manualLookup();
    const values = Array.from({ length: 600 }, (_, k) => batcher.get(k));
    queries[0]!.answer();
    queries[1]!.answer();
    await settle();
    expect(queries.slice(2).map((q) => q.keys.length)).toEqual([256, 256]);
    for (const q of queries.slice(2)) q.answer();
    await settle();
    expect(queries.slice(4).map((q) => q.keys.length)).toEqual([86]);
    queries[4]!.answer();
    expect(await Promise.all(values)).toHaveLength(600);
  });
});
