import { SuppressionBusy } from '#read-models/statistics-publishing/suppression-pool.js';

/**
 * At most `running` heavy statistics (a series, or any table with minCell) at a time, at most
 * `waiting` more in line; beyond that a request is refused at once (503 statistics-busy). Reading
 * a long series is many queries: on the embedded store they run on the service's own thread and
 * share its one connection with every other request, /health included, so they take turns.
 */
export class HeavyStatistics {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly running = 2,
    private readonly waiting = 16,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) throw new SuppressionBusy();
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.active++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
