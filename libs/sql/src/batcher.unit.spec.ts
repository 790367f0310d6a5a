import { answeredInOrder, Batcher, type Pending } from './batcher.js';

/** A batcher whose batches the test settles by hand, recording the items each one carried. */
function manualBatcher(options: { exclusiveKey?: (item: number) => string } = {}) {
  const batches: { items: number[]; answer(): void; fail(error: Error): void }[] = [];
  const batcher = new Batcher<number, string>(
    (batch: Pending<number, string>[]) =>
      new Promise<void>((resolve, reject) => {
        batches.push({
          items: batch.map((p) => p.item),
          answer: () => {
            for (const p of batch) p.resolve(`value-${p.item}`);
            resolve();
          },
          fail: reject,
        });
      }),
    options,
  );
  return { batcher, batches };
}

/** Lets pending promise reactions run and the batcher's next turn come (it sends at the end of one). */
const settle = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe('Batcher', () => {
  test('a lone item goes out at the end of the turn it was submitted in', async () => {
    const { batcher, batches } = manualBatcher();
    const value = batcher.submit(7);
    expect(batches).toEqual([]);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[7]]);
    batches[0].answer();
    await expect(value).resolves.toBe('value-7');
  });

  test('items submitted in one turn go together, each getting its own answer', async () => {
    const { batcher, batches } = manualBatcher();
    const values = [1, 2, 3].map((k) => batcher.submit(k));
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    batches[0].answer();
    await expect(Promise.all(values)).resolves.toEqual(['value-1', 'value-2', 'value-3']);
  });

  test('items submitted while two batches are out go together in the next', async () => {
    const { batcher, batches } = manualBatcher();
    const values = [batcher.submit(1)];
    await settle();
    values.push(batcher.submit(2));
    await settle();
    values.push(...[3, 4, 5, 3].map((k) => batcher.submit(k)));
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[0].answer();
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5, 3]]);
    batches[1].answer();
    batches[2].answer();
    await expect(Promise.all(values)).resolves.toEqual(['value-1', 'value-2', 'value-3', 'value-4', 'value-5', 'value-3']);
  });

  test('an item is never answered by a batch sent before it was submitted', async () => {
    const { batcher, batches } = manualBatcher();
    void batcher.submit(1);
    await settle();
    const late = batcher.submit(1);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1], [1]]);
    batches[0].answer();
    batches[1].answer();
    await expect(late).resolves.toBe('value-1');
  });

  test('items with the same exclusive key never share a batch and keep their order', async () => {
    const { batcher, batches } = manualBatcher({ exclusiveKey: (item) => String(item % 10) });
    for (const item of [1, 2, 11, 3, 21, 13]) void batcher.submit(item);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [11, 13],
    ]);
    batches[0].answer();
    await settle();
    expect(batches[2].items).toEqual([21]);
  });

  test('a failed batch fails only the items it carried and left open', async () => {
    const batcher = new Batcher<number, string>(async (batch) => {
      if (batch[0].item === 3) return batch[0].resolve('three');
      batch[0].resolve('settled first');
      throw new Error('connection lost');
    });
    const [first, second] = [batcher.submit(1), batcher.submit(2)];
    await settle();
    const third = batcher.submit(3);
    await expect(first).resolves.toBe('settled first');
    await expect(second).rejects.toThrow('connection lost');
    await expect(third).resolves.toBe('three');
  });

  test('at most 256 items go in one batch', async () => {
    const { batcher, batches } = manualBatcher();
    const values = Array.from({ length: 600 }, (_, k) => batcher.submit(k));
    await settle();
    expect(batches.map((b) => b.items.length)).toEqual([256, 256]);
    for (const b of batches) b.answer();
    await settle();
    expect(batches.slice(2).map((b) => b.items.length)).toEqual([88]);
    batches[2].answer();
    expect(await Promise.all(values)).toHaveLength(600);
  });
});

describe('answeredInOrder', () => {
  test('hands each key the answer in its place', async () => {
    const batcher = new Batcher<number, number>(answeredInOrder(async (keys) => keys.map((k) => k * 10)));
    await expect(Promise.all([1, 2, 3].map((k) => batcher.submit(k)))).resolves.toEqual([10, 20, 30]);
  });

  test('an answer of the wrong length fails its keys instead of mismatching them', async () => {
    const batcher = new Batcher<number, number>(answeredInOrder(async (keys) => keys.slice(1)));
    await expect(batcher.submit(1)).rejects.toThrow('lookup answered 0 of 1 keys');
  });
});
