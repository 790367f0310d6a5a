import { randomUUID } from 'node:crypto';
import { toNewEvent } from '#application/serialization.js';
import { workerStreamId, type TrajectoryCommand, type TrajectoryEvent } from '#domain/index.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { PlacementFactsProjection } from '#read-models/group-statistics/placement-facts.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { flowTable, outflowTable } from '#read-models/outflow-statistics/statistics-tables.js';
import { tableAnswer, type AnswerRow, type TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import type { SqlDatabase } from '#sql/sql.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { openTestDatabase, type TestDatabase, type TestStoreKind } from '../support/databases.js';
import { decided } from '../support/trajectories.js';

/**
 * Statistics by organisation, province and profile, checked against tables computed here from the
 * same events (not through the read models), on PGlite and PostgreSQL; a rebuild gives the same.
 */

const ORGANISATIONS = [
  { id: randomUUID(), province: 'ANT', postal: '2000', number: '0123456749' },
  { id: randomUUID(), province: 'LIM', postal: '3500', number: '0200065765' },
];
const PROGRAMMES = ['SW', 'INVOEG_DC', 'LDE'] as const;
const metadata = () => ({ actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: '2026-12-07T00:00:00Z' });

/** A small deterministic population: markers, organisations (and old free text), exits, results, one retraction. */
function population(): { workerId: string; events: TrajectoryEvent[] }[] {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  return Array.from({ length: 48 }, (_, w) => {
    const workerId = randomUUID();
    const programme = PROGRAMMES[next(3)];
    const enterpriseId = [ORGANISATIONS[0].id, ORGANISATIONS[1].id, 'Oude Werkplaats vzw'][next(3)];
    const start = `${2010 + next(4)}-0${1 + next(9)}-1${next(9)}`;
    const commands: TrajectoryCommand[] = [
      {
        type: 'RegisterWorker',
        data: {
          workerId,
          inszCiphertext: 'sealed',
          birthYear: [1955, 1961, 1975, 1990][next(4)],
          educationLevel: (['low', 'medium', 'high'] as const)[next(3)],
          migrationBackground: next(2) === 0,
          disability: next(3) === 0,
          unemployedSince: null,
          socialAssistance: false,
        },
      },
      {
        type: 'RecordScreening',
        data: { date: '2009-12-01', advice: 'supported-employment', programme, indication: null },
      },
      {
        type: 'StartPlacement',
        // The directory's answer, as the API hands it to the domain: the event records the organisationId (or, for the test's unregistered ones, the text).
        data: {
          placementId: randomUUID(),
          programme,
          enterpriseId,
          employer: { organisationId: enterpriseId, programmes: [programme] },
          startDate: start,
          fte: [1, 0.5, 0.8][next(3)],
        },
      },
    ];
    const exits = next(3) !== 0;
    if (exits) {
      const year = Number(start.slice(0, 4)) + next(3);
      commands.push({ type: 'RecordExit', data: { date: `${year}-11-2${next(9)}`, reason: (['resignation', 'dismissal', 'death'] as const)[next(3)] } });
    }
    let events = decided(commands);
    const placementId = events.find((e) => e.type === 'PlacementStarted')!.data.placementId;
    const exit = events.find((e) => e.type === 'WorkerExited');
    if (exit && exit.data.followUpReferenceDate !== null && next(4) !== 0) {
      events = decided([
        ...commands,
        { type: 'RecordFollowUp', data: { placementId, outcome: (['employed', 'ibo', 'not-employed'] as const)[next(3)], source: 'register' } },
      ]);
    }
    if (w % 11 === 5 && exit) {
      const version = events.findIndex((e) => e.type === 'WorkerExited') + 1;
      events = decided([...commands, { type: 'RetractStep', data: { version, reasonCiphertext: 'sealed' } }]);
    }
    return { workerId, events };
  });
}

type By = 'organisation' | 'province' | 'profile';

/** The expected grouped rows, computed from the events alone. */
function expected(pop: ReturnType<typeof population>, year: number, by: By, table: 'flows' | 'outflow'): Map<string, Map<string, number[]>> {
  const groups = new Map<string, Map<string, number[]>>();
  for (const { events } of pop) {
    const reg = events.find((e) => e.type === 'WorkerRegistered')!;
    const markersOn = (date: string) => {
      const d = reg.data;
      const parts = [
        d.migrationBackground && 'migration',
        d.disability && 'disability',
        d.birthYear !== null && Number(date.slice(0, 4)) - d.birthYear >= 50 && '50plus',
        d.educationLevel === 'low' && 'low-education',
      ].filter(Boolean);
      return parts.length ? parts.join('+') : 'none';
    };
    const start = events.find((e) => e.type === 'PlacementStarted')!;
    const retracted = events.some((e) => e.type === 'StepRetracted');
    const exit = retracted ? undefined : events.find((e) => e.type === 'WorkerExited');
    const result = retracted ? undefined : events.find((e) => e.type === 'FollowUpRecorded');
    const startYear = Number(start.data.startDate.slice(0, 4));
    const exitYear = exit ? Number(exit.data.date.slice(0, 4)) : null;
    if (startYear > year || (exitYear !== null && exitYear < year)) continue;
    const org = ORGANISATIONS.find((o) => o.id === start.data.enterpriseId);
    const group =
      by === 'organisation'
        ? (org?.id ?? 'unregistered')
        : by === 'province'
          ? (org?.province ?? 'unregistered')
          : table === 'outflow' && exit
            ? markersOn(exit.data.date)
            : markersOn(start.data.startDate);
    const row = groups.get(group) ?? new Map<string, number[]>();
    groups.set(group, row);
    const f = row.get(start.data.programme) ?? [0, 0, 0, 0, 0, 0];
    // stockStart, inflow, outflow, stockEnd, toWork (including ibo), excluded
    if (startYear < year) f[0]++;
    if (startYear === year) f[1]++;
    if (exitYear === year) f[2]++;
    if (exitYear === null || exitYear > year) f[3]++;
    if (exitYear === year && result && result.data.outcome !== 'not-employed') f[4]++;
    if (exitYear === year && exit!.data.followUpReferenceDate === null) f[5]++;
    row.set(start.data.programme, f);
  }
  return groups;
}

async function project(db: SqlDatabase, pop: ReturnType<typeof population>): Promise<ProjectionRunner> {
  await migrateSchema(db);
  for (const o of ORGANISATIONS) {
    await db.query(
      "INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes) VALUES ($1, $2, 'org', 'other', $3, $4, ARRAY['SW','INVOEG_DC','LDE'])",
      [o.id, o.number, o.postal, o.province],
    );
  }
  const store = await SqlEventStore.create(db);
  for (const { workerId, events } of pop) {
    await store.appendToStream(
      workerStreamId(workerId),
      events.map((e) => toNewEvent(e, metadata())),
      0,
    );
  }
  const runner = new ProjectionRunner(store, db, [new FlowCountsProjection(), new PlacementFactsProjection()], { batchSize: 7 });
  await runner.catchUp();
  return runner;
}

const groupsOf = (rows: readonly AnswerRow[]) => [...new Set(rows.map((r) => r.group!))];

describe.each<TestStoreKind>(['pglite', 'postgres'])('statistics by group (%s)', (kind) => {
  let database: TestDatabase;
  let runner: ProjectionRunner;
  const pop = population();
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    runner = await project(database.db, pop);
  });
  afterAll(() => database.dispose());

  const answer = (spec: TableSpec) => tableAnswer(database.db, spec);

  test.each<[By, 'flows' | 'outflow']>([
    ['organisation', 'flows'],
    ['province', 'outflow'],
    ['profile', 'flows'],
    ['profile', 'outflow'],
  ])('by %s, %s table: every group equals the table computed from the events, and ALL equals today’s rows', async (by, table) => {
    for (const year of [2011, 2012, 2013]) {
      const spec: TableSpec = table === 'flows' ? { table, year, by } : { table, year, by, method: 'including-ibo' };
      const { rows } = await answer(spec);
      const want = expected(pop, year, by, table);
      expect(groupsOf(rows)).toEqual(['ALL', ...[...want.keys()].sort()]);
      for (const [group, programmes] of want) {
        for (const [programme, [stockStart, inflow, outflow, stockEnd, toWork, excluded]] of programmes) {
          if (stockStart + inflow + outflow + stockEnd === 0) continue;
          const row = rows.find((r) => r.group === group && r.programme === programme)!;
          if (table === 'flows') expect(row).toMatchObject({ stockStart, inflow, outflow, stockEnd });
          else
            expect(row).toMatchObject({
              reach: stockStart + inflow,
              exited: outflow,
              toWork,
              pending: outflow - excluded - toWork - notEmployed(pop, year, by, group, programme),
            });
        }
        const total = rows.find((r) => r.group === group && r.programme === 'TOTAL')!;
        const sum = [...programmes.values()].reduce((s, f) => s + (table === 'flows' ? f[1] : f[2]), 0);
        expect(total[table === 'flows' ? 'inflow' : 'exited']).toBe(sum);
      }
      const today = table === 'flows' ? await flowTable(database.db, year) : await outflowTable(database.db, year, 'including-ibo');
      expect(rows.filter((r) => r.group === 'ALL').map(({ group: _, ...r }) => r)).toEqual(today);
    }
  });

  test('a grouped series with minCell: ALL first in each year, nothing small published, and the answer says how it was protected', async () => {
    const res = await answer({ table: 'outflow', from: 2010, to: 2013, by: 'organisation', method: 'including-ibo', minCell: 3 });
    expect(res.suppression).toEqual({ method: expect.stringMatching(/^(optimal|heuristic)$/), primary: expect.any(Number), complementary: expect.any(Number) });
    expect(res.suppression!.primary).toBeGreaterThan(0);
    for (const row of res.rows)
      for (const f of ['reach', 'exited', 'toWork', 'pending']) if (typeof row[f] === 'number') expect(row[f] === 0 || row[f] >= 3).toBe(true);
    expect(res.rows[0]).toMatchObject({ year: 2010, group: 'ALL' });
  });

  test('one organisation only (an org-admin’s view): its group and nothing else', async () => {
    const { rows } = await answer({ table: 'flows', year: 2012, by: 'organisation', organisation: ORGANISATIONS[1].id });
    expect(groupsOf(rows)).toEqual([ORGANISATIONS[1].id]);
    const all = await answer({ table: 'flows', year: 2012, by: 'organisation' });
    expect(rows).toEqual(all.rows.filter((r) => r.group === ORGANISATIONS[1].id));
  });

  test('a rebuild gives the same tables', async () => {
    const before = await Promise.all(
      (['organisation', 'province', 'profile'] as By[]).map((by) => answer({ table: 'outflow', from: 2010, to: 2013, by, method: 'employment-only' })),
    );
    await runner.rebuild();
    const after = await Promise.all(
      (['organisation', 'province', 'profile'] as By[]).map((by) => answer({ table: 'outflow', from: 2010, to: 2013, by, method: 'employment-only' })),
    );
    expect(after).toEqual(before);
  });
});

/** Exits of the year with a result `not-employed`, in one group and programme (for `pending`). */
function notEmployed(pop: ReturnType<typeof population>, year: number, by: By, group: string, programme: string): number {
  let n = 0;
  for (const { events } of pop) {
    if (events.some((e) => e.type === 'StepRetracted')) continue;
    const exit = events.find((e) => e.type === 'WorkerExited');
    const result = events.find((e) => e.type === 'FollowUpRecorded');
    if (!exit || !result || result.data.outcome !== 'not-employed' || Number(exit.data.date.slice(0, 4)) !== year || exit.data.programme !== programme)
      continue;
    const only = expected([{ workerId: '', events }], year, by, 'outflow');
    if (only.has(group)) n++;
  }
  return n;
}
