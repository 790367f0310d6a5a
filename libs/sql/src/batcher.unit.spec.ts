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

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  test('a lone item goes out at once', async () => {
    const { batcher, batches } = manualBatcher();
    const value = batcher.submit(7);
    expect(batches.map((b) => b.items)).toEqual([[7]]);
    batches[0].answer();
    await expect(value).resolves.toBe('value-7');
  });

  test('items submitted while two batches are out go together in the next, each getting its own answer', async () => {
    const { batcher, batches } = manualBatcher();
    const values = [1, 2, 3, 4, 5, 3].map((k) => batcher.submit(k));
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
    void batcher.submit(2);
    const late = batcher.submit(1);
    batches[0].answer();
    await settle();
    expect(batches[2].items).toEqual([1]);
    batches[1].answer();
    batches[2].answer();
    await expect(late).resolves.toBe('value-1');
  });

  test('items with the same exclusive key never share a batch and keep their order', async () => {
    const { batcher, batches } = manualBatcher({ exclusiveKey: (item) => String(item % 10) });
    void batcher.submit(1);
    void batcher.submit(2);
    for (const item of [11, 3, 21, 13]) void batcher.submit(item);
    batches[0].answer();
    await settle();
    expect(batches[2].items).toEqual([11, 3]);
    batches[1].answer();
    await settle();
    expect(batches[3].items).toEqual([21, 13]);
  });

  test('a failed batch fails only the items it carried and left open', async () => {
    const batcher = new Batcher<number, string>(async (batch) => {
      if (batch.length === 1 && batch[0].item === 2) return batch[0].resolve('two');
      batch[0].resolve('settled first');
      throw new Error('connection lost');
    });
    const [first, second] = [batcher.submit(1), batcher.submit(2)];
    const [third, fourth] = [batcher.submit(3), batcher.submit(4)];
    await expect(first).resolves.toBe('settled first');
    await expect(second).resolves.toBe('two');
    await expect(third).resolves.toBe('settled first');
    await expect(fourth).rejects.toThrow('connection lost');
  });

  test('at most 256 items go in one batch', async () => {
    const { batcher, batches } = manualBatcher();
    const values = Array.from({ length: 600 }, (_, k) => batcher.submit(k));
    batches[0].answer();
    batches[1].answer();
    await settle();
    expect(batches.slice(2).map((b) => b.items.length)).toEqual([256, 256]);
    for (const b of batches.slice(2)) b.answer();
    await settle();
    expect(batches.slice(4).map((b) => b.items.length)).toEqual([86]);
    batches[4].answer();
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
