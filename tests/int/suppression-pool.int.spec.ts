import { groupedYears } from '../../bench/lib/statistics-groups.js';
import { protectInProcess, SUPPRESSION_BUDGET_MS } from '#read-models/statistics-publishing/statistics-answers.js';
import { SuppressionPool, SuppressionTooLarge } from '#read-models/statistics-publishing/suppression-pool.js';

/** The compiled worker (the suite's global setup builds dist/): tables protected in a thread of their own, as in the service. */
const WORKER = new URL('../../dist/libs/read-models/src/statistics-publishing/suppression.worker.js', import.meta.url);

describe('the suppression threads (built worker)', () => {
  // A thread with a small heap: a series by hundreds of organisations does not fit in it, a table of three does.
  const pool = new SuppressionPool({ threads: 1, maxWaiting: 4, budgetMs: SUPPRESSION_BUDGET_MS, heapMb: 24, workerFile: WORKER });
  afterAll(() => pool.close());

  test('a table that needs more memory than a thread has is refused as too large, and the next table gets a new thread', async () => {
    await expect(pool.protect(groupedYears(400, 6, 5), 5)).rejects.toBeInstanceOf(SuppressionTooLarge);
    const small = groupedYears(3, 2, 5, 6);
    const protectedInThread = await pool.protect(small, 5);
    expect(protectedInThread.suppression.flows.primary).toBeGreaterThan(0);
    expect(protectedInThread).toEqual(await protectInProcess(small, 5));
  });

  test('a table that fits is protected in the thread as in the calling thread', async () => {
    const year = groupedYears(40, 1, 8);
    expect(await pool.protect(year, 5)).toEqual(await protectInProcess(year, 5));
  });
});
