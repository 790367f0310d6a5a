import { EventStoreDeadlineError } from './event-store.js';

/**
 * Runs `work` and gives the caller control back after `deadlineMs`, with an
 * `EventStoreDeadlineError`, whether or not `work` ever settles. An adapter also passes the
 * deadline to its client where the client honours one (KurrentDB's gRPC calls), so that the call
 * itself is cancelled too; this wrapper is what guarantees the return.
 */
export async function withDeadline<T>(operation: string, deadlineMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EventStoreDeadlineError(operation, deadlineMs)), deadlineMs);
  });
  const running = work();
  running.catch(() => undefined); // settles after the deadline: nobody is waiting for it any more
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function assertDeadline(deadlineMs: number): void {
  if (!Number.isSafeInteger(deadlineMs) || deadlineMs < 1) throw new RangeError(`invalid event-store deadline ${String(deadlineMs)} ms: a whole number >= 1`);
}
