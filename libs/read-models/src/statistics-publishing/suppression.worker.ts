import { parentPort } from 'node:worker_threads';
import { highsSolver } from './highs-solver.js';
import { suppressTables, type YearRows } from './small-cells.js';

/** A worker thread of the suppression pool: one table at a time, HiGHS loaded once. */
export interface SuppressionJob {
  id: number;
  years: YearRows[];
  minCell: number;
  budgetMs: number;
}

parentPort?.on('message', (job: SuppressionJob) => {
  void highsSolver().then(
    (highs) => {
      try {
        parentPort!.postMessage({ id: job.id, result: suppressTables(job.years, job.minCell, { highs, budgetMs: job.budgetMs }) });
      } catch (error) {
        parentPort!.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
      }
    },
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: String(error) }),
  );
});
