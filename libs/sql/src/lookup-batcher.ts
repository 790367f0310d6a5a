/** Lookups per query at most. */
const MAX_BATCH = 256;
/** Queries in flight at once: while they run, new lookups gather for the next one. */
const MAX_IN_FLIGHT = 2;

interface Waiting<K, V> {
  key: K;
  resolve(value: V): void;
  reject(error: unknown): void;
}

/**
 * Turns concurrent single-key lookups into one query for many keys, as group commit does for
 * appends: the first lookup goes out at once, and those that arrive while queries are out go
 * together in the next. Nothing waits for a timer. A lookup always travels in a query sent after
 * it was asked, so it sees every write that finished before it. A failed query fails only the
 * lookups it carried.
 */
export class LookupBatcher<K, V> {
  private waiting: Waiting<K, V>[] = [];
  private inFlight = 0;

  /** `lookUpMany` answers each key, in the order of the keys it was given. */
  constructor(private readonly lookUpMany: (keys: readonly K[]) => Promise<readonly V[]>) {}

  get(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting<K, V>[]): Promise<void> {
    try {
      const values = await this.lookUpMany(batch.map((w) => w.key));
      if (values.length !== batch.length) throw new Error(`lookup answered ${values.length} of ${batch.length} keys`);
      batch.forEach((w, i) => w.resolve(values[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
