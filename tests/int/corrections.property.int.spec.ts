import fc from 'fast-check';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { toNewEvent } from '#application/serialization.js';
import {
  decide,
  evolve,
  EXIT_REASONS,
  initialState,
  RuleViolation,
  workerStreamId,
  type DecisionContext,
  type FollowUpOutcome,
  type FollowUpSource,
  type TrajectoryCommand,
  type TrajectoryEvent,
  type TrajectoryState,
} from '#domain/index.js';
import { addDays } from '#domain/calendar.js';
import { formatPosition, type RecordedEvent } from '#event-store/event-store.js';
import type { Projection } from '#projections/projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { flowTable, outflowTable } from '#read-models/outflow-statistics/statistics-tables.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { registration } from '../support/trajectories.js';
import { employer } from '#domain/testing/fixtures.js';

/**
 * "Every projection of the log with its corrections equals the projection of the log without the
 * retracted steps" (architecture.md, second round). Random trajectories of a few workers, with
 * random retractions (of the latest step, and attempts at others) and random revisions of
 * follow-up results, go through the domain; the log is projected in random batches. The same
 * log with every retracted step, everything withdrawn with it and the retractions themselves
 * taken out, and each revised result recorded at once with its final outcome, is projected
 * afresh. Every read model must read the same, and so must the domain's fold.
 */

const TODAY = '2035-12-31';
const CONTEXT: DecisionContext = { today: TODAY, policy: { returnGuaranteeMonths: 12, followUpDelayMonths: 6 } };
const PROGRAMMES = ['SW', 'MAATWERK', 'INVOEG_DC', 'LDE', 'ARBEIDSZORG'] as const;
const OUTCOMES: FollowUpOutcome[] = ['employed', 'ibo', 'not-employed'];
const SOURCES: FollowUpSource[] = ['register', 'manual'];

/** What an action does, weighted by repetition (uniformly drawn: fast-check's nat leans to small values). */
const KINDS = [
  'progress',
  'progress',
  'progress',
  'progress',
  'progress',
  'follow-up',
  'follow-up',
  'follow-up',
  'retract-latest',
  'retract-latest',
  'retract-any',
  'start',
  'expire',
  'pop',
] as const;

interface Action {
  worker: number;
  kind: number;
  pick: number;
  days: number;
}

interface WorkerLog {
  state: TrajectoryState;
  date: string;
  placements: number;
}

/** Interprets random actions as commands against the domain; refused commands are skipped. */
function trajectories(actions: Action[]): { log: { workerId: string; version: number; event: TrajectoryEvent }[]; states: Map<string, TrajectoryState> } {
  const workers = new Map<number, WorkerLog>();
  const log: { workerId: string; version: number; event: TrajectoryEvent }[] = [];
  const run = (index: number, worker: WorkerLog, command: TrajectoryCommand) => {
    let events: TrajectoryEvent[];
    try {
      events = decide(command, worker.state, CONTEXT);
    } catch (error) {
      if (error instanceof RuleViolation) return;
      throw error;
    }
    for (const event of events) {
      worker.state = evolve(worker.state, event);
      log.push({ workerId: `w${index}`, version: worker.state.version, event });
    }
  };
  for (const action of actions) {
    let worker = workers.get(action.worker);
    if (!worker) {
      worker = { state: initialState, date: '2008-01-01', placements: 0 };
      workers.set(action.worker, worker);
      run(action.worker, worker, registration(`w${action.worker}`));
    }
    worker.date = addDays(worker.date, action.days);
    const date = worker.date;
    const state = worker.state;
    const programme = PROGRAMMES[action.pick % PROGRAMMES.length];
    const exited = state.placements.filter((p) => p.exit);
    const steps = state.history.filter((live) =>
      ['ScreeningRecorded', 'PopEstablished', 'PopReviewed', 'PlacementStarted', 'WorkerExited'].includes(live.event.type),
    );
    let kind: (typeof KINDS)[number] | 'place' | 'exit' | 'return' = KINDS[action.kind];
    if (kind === 'progress') {
      // The natural next step: an exit from an active placement, else a return or a new placement.
      kind = state.activePlacement ? 'exit' : state.returnGuarantee?.status === 'running' && action.pick % 2 === 0 ? 'return' : 'place';
    }
    switch (kind) {
      case 'place': {
        const advice = programme === 'ARBEIDSZORG' ? 'work-care' : 'supported-employment';
        run(action.worker, worker, { type: 'RecordScreening', data: { date, advice, programme, indication: null } });
        run(action.worker, worker, {
          type: 'StartPlacement',
          data: {
            placementId: `p${action.worker}-${worker.placements++}`,
            programme,
            enterpriseId: 'e',
            employer: employer('e'),
            startDate: date,
            fte: [1, 0.5, 0.8, 0.1234][action.pick % 4],
          },
        });
        break;
      }
      case 'start':
        run(action.worker, worker, {
          type: 'StartPlacement',
          data: {
            placementId: `p${action.worker}-${worker.placements++}`,
            programme: state.latestScreening?.programme ?? programme,
            enterpriseId: 'e',
            employer: employer('e'),
            startDate: date,
            fte: 1,
          },
        });
        break;
      case 'exit':
        run(action.worker, worker, { type: 'RecordExit', data: { date, reason: EXIT_REASONS[action.pick % EXIT_REASONS.length] } });
        break;
      case 'follow-up': {
        const placement = exited[action.pick % Math.max(1, exited.length)];
        if (placement) {
          run(action.worker, worker, {
            type: 'RecordFollowUp',
            data: { placementId: placement.placementId, outcome: OUTCOMES[action.pick % 3], source: SOURCES[action.days % 2] },
          });
        }
        break;
      }
      case 'retract-latest':
      case 'retract-any': {
        // Retract the latest step, mostly; sometimes try another version (refused unless it is the latest).
        const target = kind === 'retract-latest' ? steps.at(-1)?.version : 1 + (action.pick % Math.max(1, state.version));
        if (target !== undefined) run(action.worker, worker, { type: 'RetractStep', data: { version: target, reasonCiphertext: 'sealed' } });
        break;
      }
      case 'return':
        run(action.worker, worker, {
          type: 'ReturnUnderGuarantee',
          data: { placementId: `p${action.worker}-${worker.placements++}`, date, enterpriseId: 'e', employer: employer('e') },
        });
        break;
      case 'expire':
        if (state.returnGuarantee) run(action.worker, worker, { type: 'ExpireReturnGuarantee', data: { placementId: state.returnGuarantee.placementId } });
        break;
      case 'pop':
        run(action.worker, worker, { type: 'RecordPop', data: { date, goals: ['a goal'], goalsCiphertext: 'sealed' } });
    }
  }
  return { log, states: new Map([...workers].map(([index, w]) => [`w${index}`, w.state])) };
}

/** The log as if the retracted steps had never been recorded and every result had been right at once. */
function withoutCorrections(log: { workerId: string; version: number; event: TrajectoryEvent }[]) {
  const withdrawn = new Set<string>();
  for (const { workerId, version, event } of log) {
    if (event.type !== 'StepRetracted') continue;
    withdrawn.add(`${workerId}@${version}`);
    for (const v of [event.data.version, ...event.data.withdrawnVersions]) withdrawn.add(`${workerId}@${v}`);
  }
  const kept: { workerId: string; version: number; event: TrajectoryEvent }[] = [];
  const results = new Map<string, number>();
  for (const entry of log) {
    if (withdrawn.has(`${entry.workerId}@${entry.version}`)) continue;
    const { event } = entry;
    if (event.type === 'FollowUpRevised') {
      const at = results.get(`${entry.workerId}/${event.data.placementId}`)!;
      const recorded = kept[at].event;
      if (recorded.type !== 'FollowUpRecorded') throw new Error('a revision without its result');
      kept[at] = { ...kept[at], event: { type: 'FollowUpRecorded', data: { ...recorded.data, outcome: event.data.outcome, source: event.data.source } } };
      continue;
    }
    if (event.type === 'FollowUpRecorded') results.set(`${entry.workerId}/${event.data.placementId}`, kept.length);
    kept.push(entry);
  }
  return kept;
}

function recorded(log: { workerId: string; version: number; event: TrajectoryEvent }[]): RecordedEvent[] {
  return log.map(({ workerId, version, event }, i) => {
    const stored = toNewEvent(event, { actor: 'test', correlationId: 'c', causationId: null, recordedAt: '2035-01-01T00:00:00Z' });
    return { streamId: workerStreamId(workerId), streamVersion: version, position: formatPosition(1, i + 1), ...stored };
  });
}

/** The domain's fold as it reads (revisions are history, not state, in the log without corrections). */
function reads(state: TrajectoryState) {
  const { version: _v, history: _h, ...rest } = state;
  return { ...rest, placements: rest.placements.map((p) => ({ ...p, followUp: p.followUp && { ...p.followUp, revisions: [] } })) };
}

describe('corrections, property-based: projections of the log with retractions and revisions = projections of the log without them', () => {
  let db: PgliteDatabase;
  const projections: Projection[] = [new FlowCountsProjection(), new FollowUpScheduleProjection(), new CaseloadProjection()];

  beforeAll(async () => {
    db = await PgliteDatabase.open(null);
    await migrateSchema(db);
  });
  afterAll(async () => {
    await db.close();
  });

  async function project(events: RecordedEvent[], batchSizes: number[]) {
    await db.transaction(async (tx) => {
      for (const projection of projections) await projection.reset(tx);
    });
    for (let i = 0, b = 0; i < events.length; b++) {
      const batch = events.slice(i, i + batchSizes[b % batchSizes.length]);
      i += batch.length;
      await db.transaction(async (tx) => {
        for (const projection of projections) await projection.apply(batch, tx);
      });
    }
    const rows = async (sql: string) => (await db.query(sql)).rows;
    return {
      counters: await rows(
        `SELECT * FROM stat_flow_counts
          WHERE (inflow, outflow, fte_units_in, fte_units_out, exits_excluded, checked_employed, checked_ibo, checked_not_employed) <> (0, 0, 0, 0, 0, 0, 0, 0)
          ORDER BY programme, year`,
      ),
      checks: await rows('SELECT * FROM follow_up_checks ORDER BY placement_id'),
      guarantees: await rows('SELECT * FROM return_guarantees ORDER BY worker_id'),
      provisional: await rows('SELECT * FROM follow_up_provisional ORDER BY placement_id'),
      // Stream versions differ between the two logs; what a coach reads must not.
      caseload: await rows('SELECT worker_id, coach, programme, status, last_step_date FROM caseload_workers ORDER BY worker_id'),
      // The caseload's totals: its counts per group against the groups of its rows.
      caseloadCounts: [
        await rows('SELECT coach, programme, status, workers FROM caseload_counts WHERE workers <> 0 ORDER BY coach, programme, status'),
        await rows(
          'SELECT coach, programme, status, count(*)::int AS workers FROM caseload_workers GROUP BY coach, programme, status ORDER BY coach, programme, status',
        ),
      ],
      tables: await Promise.all(
        [2010, 2012, 2014].map(async (year) => [
          await flowTable(db, year),
          await outflowTable(db, year, 'including-ibo'),
          await outflowTable(db, year, 'employment-only'),
        ]),
      ),
    };
  }

  const action = fc.record({
    worker: fc.constantFrom(0, 1, 2),
    kind: fc.constantFrom(...KINDS.map((_, i) => i)),
    pick: fc.noBias(fc.integer({ min: 0, max: 59 })),
    days: fc.noBias(fc.integer({ min: 0, max: 250 })),
  });

  test('random trajectories with random retractions and revisions', async () => {
    const seen = { revisions: 0, retractedPlacements: 0, retractedExits: 0, retractedExitsWithResult: 0, restoredGuarantees: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 20, maxLength: 70 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
        async (actions, batchSizes) => {
          const { log, states } = trajectories(actions);
          const clean = withoutCorrections(log);
          for (const { event } of log) {
            if (event.type === 'FollowUpRevised') seen.revisions++;
            if (event.type !== 'StepRetracted') continue;
            if (event.data.step.type === 'PlacementStarted') seen.retractedPlacements++;
            if (event.data.step.type === 'WorkerExited') seen.retractedExits++;
            if (event.data.withdrawnFollowUp) seen.retractedExitsWithResult++;
            if (event.data.returnGuaranteeChanged && event.data.returnGuarantee?.status === 'running') seen.restoredGuarantees++;
          }
          const withCorrections = await project(recorded(log), batchSizes);
          // Wherever the batches are cut, each caseload row carries its worker's last stream version
          // (results and guarantees' ends move only the version, without the row being read).
          const lastVersions = new Map(log.map(({ workerId, version }) => [workerId, version]));
          expect((await db.query<{ worker_id: string; version: number }>('SELECT worker_id, version FROM caseload_workers ORDER BY worker_id')).rows).toEqual(
            [...lastVersions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([worker_id, version]) => ({ worker_id, version })),
          );
          const rebuilt = await project(recorded(clean), [50]);
          expect(withCorrections).toEqual(rebuilt);
          expect(withCorrections.caseloadCounts[0]).toEqual(withCorrections.caseloadCounts[1]);
          // The domain agrees: each worker's fold of the log reads as the fold without corrections.
          for (const [workerId, state] of states) {
            const folded = clean.filter((e) => e.workerId === workerId).reduce((s, e) => evolve(s, e.event), initialState);
            expect(reads(state)).toEqual(reads(folded));
          }
        },
      ),
      { numRuns: 60 },
    );
    // The generator does produce every kind of correction (not a vacuous pass).
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
  }, 120_000);
});
