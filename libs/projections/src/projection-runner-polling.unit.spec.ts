import type { EventStore, RecordedEvent } from '#event-store/event-store.js';
import type { SqlDatabase } from '#sql/sql.js';
import { ProjectionRunner } from './projection-runner.js';
import type { Projection } from './projection.js';

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

/** A log that gains one event every `everyMs`, and a checkpoint table in memory: what the runner reads and writes. */
function tricklingLog(everyMs: number) {
  const appendedAt: number[] = [];
  const timer = setInterval(() => appendedAt.push(performance.now()), everyMs);
  let position: string | null = null;
  const store = {
    identity: async () => 'sql:trickle',
    readAll: async (after: string | null, limit: number): Promise<RecordedEvent[]> => {
      const from = after === null ? 0 : Number(after.split('-')[1]);
      return appendedAt.slice(from, from + limit).map((_, i) => ({
        streamId: `worker-${from + i}`,
        streamVersion: 1,
        position: `0-${from + i + 1}`,
        type: 'V1.Trickle',
        data: {},
        metadata: { actor: 'test', correlationId: 'c', causationId: null, recordedAt: '2026-12-07T00:00:00.000Z' },
      }));
    },
  } as unknown as EventStore;
  const client = {
    query: async (text: string, params: unknown[] = []) => {
      if (text.startsWith('UPDATE projection_checkpoints')) position = params[1] as string;
      return { rows: [{ position, event_store_id: 'sql:trickle', skipped_events: 0, last_skipped_type: null }], rowCount: 1 };
    },
  };
  const db = { kind: 'postgres', ...client, transaction: async <T>(fn: (tx: typeof client) => Promise<T>) => fn(client) } as unknown as SqlDatabase;
  return { store, db, appendedAt, stop: () => clearInterval(timer) };
}

/** Runs a runner over a trickle for `ms`: the size of each batch, and how long each event waited to be applied. */
async function overTrickle(options: { targetBatchSize?: number }, ms: number) {
  const log = tricklingLog(5);
  const batches: number[] = [];
  const waits: number[] = [];
  const counting: Projection = {
    name: 'counting',
    reset: async () => undefined,
    apply: async (events) => {
      batches.push(events.length);
      for (const event of events) waits.push(performance.now() - log.appendedAt[Number(event.position.split('-')[1]) - 1]);
    },
  };
  const runner = new ProjectionRunner(log.store, log.db, [counting], { pollIntervalMs: 10, maxPollIntervalMs: 200, isKnownEventType: () => true, ...options });
  await runFor(runner, ms);
  log.stop();
  return { batches, longestWait: Math.max(...waits) };
}

describe('the projection runner on a trickling log', () => {
  test('with a target batch size, events gather into batches of about that size, none waiting much longer than maxPollIntervalMs', async () => {
    // One event every 5 ms: about 200 a second.
    const atOnce = await overTrickle({}, 1_500);
    const gathered = await overTrickle({ targetBatchSize: 20 }, 1_500);
    const median = (sizes: number[]) => [...sizes].sort((a, b) => a - b)[Math.floor(sizes.length / 2)];
    expect(median(gathered.batches)).toBeGreaterThanOrEqual(15);
    expect(gathered.batches.length).toBeLessThan(atOnce.batches.length / 4);
    expect(gathered.longestWait).toBeLessThan(200 + 150);
  });
});
