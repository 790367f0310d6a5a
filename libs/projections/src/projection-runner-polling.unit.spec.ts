import type { EventStore, RecordedEvent } from '#event-store/event-store.js';
import type { SqlDatabase } from '#sql/sql.js';
import { ProjectionRunner } from './projection-runner.js';

/** A log that stays empty, counting how often the runner looks at it. */
function quietLog(): { store: EventStore; looks: () => number } {
  let looks = 0;
  const store = {
    identity: async () => 'sql:quiet',
    readAll: async (): Promise<RecordedEvent[]> => {
      looks++;
      return [];
    },
  } as unknown as EventStore;
  return { store, looks: () => looks };
}

const checkpoints = {
  kind: 'postgres',
  query: async () => ({ rows: [{ position: null, event_store_id: 'sql:quiet', skipped_events: 0, last_skipped_type: null }], rowCount: 1 }),
} as unknown as SqlDatabase;

const runFor = async (runner: ProjectionRunner, ms: number) => {
  runner.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await runner.stop();
};

describe('the projection runner on a quiet log', () => {
  test('looks less and less often, down to once per maxPollIntervalMs, and a poke looks at once', async () => {
    const quiet = quietLog();
    const backingOff = new ProjectionRunner(quiet.store, checkpoints, [], { pollIntervalMs: 10, maxPollIntervalMs: 160 });
    await runFor(backingOff, 1_000);
    const steady = quietLog();
    await runFor(new ProjectionRunner(steady.store, checkpoints, [], { pollIntervalMs: 10 }), 1_000);
    // 10, 20, 40, 80, 160, 160 … ms: about 10 looks in a second, where a fixed 10 ms interval makes about 100.
    expect(backingOff.state().running).toBe(false);
    expect(quiet.looks()).toBeLessThanOrEqual(14);
    expect(steady.looks()).toBeGreaterThan(2 * quiet.looks());

    const poked = quietLog();
    const runner = new ProjectionRunner(poked.store, checkpoints, [], { pollIntervalMs: 10, maxPollIntervalMs: 60_000 });
    runner.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = poked.looks();
    runner.poke();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(poked.looks()).toBe(before + 1);
    await runner.stop();
  });
});
