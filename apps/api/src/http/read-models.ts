import type { ProjectionProgress } from '#projections/projection-runner.js';
import { ProblemException } from './problem.js';

/** How long a query waits for its `waitFor` position before answering 503. */
const WAIT_FOR_TIMEOUT_MS = 5_000;

/** The one place queries wait for the read models: 503 while they are rebuilt or behind `waitFor`. */
export async function awaitReadModels(progress: ProjectionProgress, { waitFor, refuseWhileRebuilding }: { waitFor?: string; refuseWhileRebuilding: boolean }) {
  if (refuseWhileRebuilding && (await progress.rebuilding())) {
    throw ProblemException.of(
      503,
      'read-model-rebuilding',
      'Read model rebuilding',
      'the statistics are being rebuilt from the event log; try again shortly',
      {},
      { 'retry-after': '5' },
    );
  }
  if (waitFor && !(await progress.waitFor(waitFor, WAIT_FOR_TIMEOUT_MS))) {
    throw ProblemException.of(
      503,
      'not-yet-processed',
      'Not yet processed',
      `the read models have not processed position ${waitFor} within ${WAIT_FOR_TIMEOUT_MS / 1000} s`,
      {},
      { 'retry-after': '1' },
    );
  }
}
