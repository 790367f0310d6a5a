/** Items per batch at most; bounds a statement's size and a batch's wait. */
const MAX_BATCH = 256;
/** Batches in flight at once: while they run, new items gather for the next one. */
const MAX_IN_FLIGHT = 2;

/** One item waiting for its batch, settled by whoever sends the batch. */
export interface Pending<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export interface BatcherOptions<I> {
  /** Items with the same key never share a batch: a later one waits for the next, so their order holds. */
  exclusiveKey?: (item: I) => string;
}

/**
 * Turns concurrent single-item requests into one database round trip for many: group commit of
 * appends, and lookups of many keys in one query. A batch goes out at the end of the event loop's
 * current turn (`setImmediate`), so every request that turn brought in joins it; those that arrive
 * while batches are out go together in the next. Nothing waits for a timer, so a quiet service
 * sends batches of one, a turn later. On the embedded store, whose statements run on this same
 * thread, sending at once instead meant batches of one under any load (docs/toolchain.md). An
 * item always travels in a batch sent after it was submitted, so it sees every write that
 * finished before it. `send` settles each item of its batch; if it throws, the items it left
 * unsettled fail with its error, and only those.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(
    private readonly send: (batch: Pending<I, O>[]) => Promise<void>,
    private readonly options: BatcherOptions<I> = {},
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedulePump();
      });
    }
  }

  private take(): Pending<I, O>[] {
    const keyOf = this.options.exclusiveKey;
    if (!keyOf) return this.queue.splice(0, MAX_BATCH);
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    const later: Pending<I, O>[] = [];
    for (const pending of this.queue) {
      const key = keyOf(pending.item);
      if (batch.length < MAX_BATCH && !keys.has(key)) {
        keys.add(key);
        batch.push(pending);
      } else {
        later.push(pending);
      }
    }
    this.queue = later;
    return batch;
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      await this.send(batch);
    } catch (error) {
      // Settling twice is a no-op, so this fails only the items `send` left open.
      for (const pending of batch) pending.reject(error);
    }
  }
}

/** A `send` for lookups: one query answers every key of the batch, in the order given. */
export function answeredInOrder<K, V>(lookUpMany: (keys: readonly K[]) => Promise<readonly V[]>): (batch: Pending<K, V>[]) => Promise<void> {
  return async (batch) => {
    const values = await lookUpMany(batch.map((pending) => pending.item));
    if (values.length !== batch.length) throw new Error(`lookup answered ${values.length} of ${batch.length} keys`);
    batch.forEach((pending, i) => pending.resolve(values[i]));
  };
}
