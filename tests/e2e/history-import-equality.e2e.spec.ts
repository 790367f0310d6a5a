import { randomUUID } from 'node:crypto';
import { comparePositions } from '#event-store/event-store.js';
import { FixedClock } from '#platform/clock.js';
import { generatedHistory, historyCsv, interleaved, type HistoryRow } from '../fixtures/history.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * api.md third round: "Statistics of imported years equal those of the same history entered
 * through the API, cell for cell." Several thousand generated trajectories over six years go into
 * one service as a file and into another, step by step, through the API; every table of every
 * year, both methods, must be the same.
 */

/** Several thousand on PostgreSQL; fewer on the embedded store, whose single connection makes the API side slow (same code path). */
const PERSONS = { postgres: 3_000, pglite: 600 } as const;
const FROM = 2015;
const TO = 2020;
const COACHES = ['coach-history-a', 'coach-history-b'];
const ORGANISATIONS = [
  { id: randomUUID(), number: '0123456749', spellings: ['0123.456.749', 'BE0123456749', 'be 0123 456 749'] },
  { id: randomUUID(), number: '0403170701', spellings: ['0403.170.701', '0403170701'] },
];

async function withDirectory(service: TestService): Promise<void> {
  for (const [i, organisation] of ORGANISATIONS.entries()) {
    await service.database.db.query(
      `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes)
       VALUES ($1, $2, $3, 'maatwerkbedrijf', '2000', 'ANT', ARRAY['SW','BW','MAATWERK','INVOEG_DC','INVOEG_NDC','LDE','ARBEIDSZORG'])`,
      [organisation.id, organisation.number, `Organisatie ${i + 1}`],
    );
    await service.database.db.query(`INSERT INTO organisation_members (sub, organisation_id, display_name, roles) VALUES ($1, $2, $1, ARRAY['coach'])`, [
      COACHES[i],
      organisation.id,
    ]);
  }
}

/** One person's rows as API commands, in order; the placement the latest exit ended is remembered for the follow-up. */
async function enterThroughApi(service: TestService, rows: readonly HistoryRow[], token: string): Promise<string> {
  let workerId = '';
  let last = '0-0';
  const placements: string[] = [];
  let exited: string | null = null;
  const send = async (path: string, body: unknown) => {
    const answer = await service.request('POST', path, { token, body });
    if (answer.status !== 201) throw new Error(`${path} ${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
    if (comparePositions(answer.body.position, last) > 0) last = answer.body.position;
    return answer.body;
  };
  const bool = (text: string | undefined) => ['true', 'ja', '1'].includes(text ?? '');
  for (const row of rows) {
    const at = `/v1/workers/${workerId}`;
    switch (row.step) {
      case 'registration':
        workerId = (
          await send('/v1/workers', {
            insz: row.insz,
            givenName: row.givenName,
            familyName: row.familyName,
            educationLevel: row.educationLevel,
            migrationBackground: bool(row.migrationBackground),
            disability: bool(row.disability),
            socialAssistance: bool(row.socialAssistance),
            coach: row.coach,
          })
        ).workerId;
        break;
      case 'screening':
        await send(`${at}/screenings`, { date: row.date, advice: row.advice, programme: row.programme });
        break;
      case 'pop':
        await send(`${at}/pops`, { date: row.date, goals: row.goals!.split('|') });
        break;
      case 'placement':
        placements.push(
          (
            await send(`${at}/placements`, {
              programme: row.programme,
              enterpriseId: row.enterpriseId,
              startDate: row.date,
              fte: Number(row.fte!.replace(',', '.')),
            })
          ).placementId,
        );
        break;
      case 'return':
        placements.push((await send(`${at}/returns`, { date: row.date, enterpriseId: row.enterpriseId })).placementId);
        break;
      case 'exit':
        await send(`${at}/exits`, { date: row.date, reason: row.reason });
        exited = placements.at(-1)!;
        break;
      case 'follow-up':
        await send(`${at}/follow-ups`, { placementId: exited, outcome: row.outcome });
        break;
    }
  }
  return last;
}

describe.each(['pglite', 'postgres'] as const)('imported history equals the same history entered through the API (%s)', (store) => {
  let imported: TestService;
  let entered: TestService;
  const histories = generatedHistory({
    persons: Number(process.env.HISTORY_PERSONS ?? PERSONS[store]),
    from: FROM,
    to: TO,
    seed: store === 'pglite' ? 20_261_207 : 7_122_026,
    coaches: COACHES,
    enterprises: ORGANISATIONS.flatMap((o) => [o.id, ...o.spellings]),
  });

  beforeAll(async () => {
    // A return guarantee that outlives the test (120 months), and a today after every generated step:
    // entered through the API, a guarantee whose expiry job ran before the return is sent would refuse it.
    const options = { store, clock: new FixedClock(new Date('2022-12-31T10:00:00Z')), env: { RETURN_GUARANTEE_MONTHS: '120' } };
    [imported, entered] = await Promise.all([
      startTestService(options),
      startTestService({ ...options, clock: new FixedClock(new Date('2022-12-31T10:00:00Z')) }),
    ]);
    await Promise.all([withDirectory(imported), withDirectory(entered)]);
  });
  afterAll(() => Promise.all([imported?.close(), entered?.close()]));

  test(`${process.env.HISTORY_PERSONS ?? PERSONS[store]} trajectories over ${FROM}–${TO}: every flows and outflow table, both methods, cell for cell`, async () => {
    const admin = imported.token(['admin'], 'admin-history');
    const started = await fetch(`${imported.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      // Half the persons with their rows together (a file sorted by person: the spool seals up to
      // eight rows of a person in one record, and spool batches end inside someone's rows), the
      // other half interleaved (one row of a person per batch).
      body: historyCsv([...histories.slice(0, histories.length / 2).flat(), ...interleaved(histories.slice(histories.length / 2))], ';'),
    });
    expect(started.status).toBe(202);
    const { importId } = (await started.json()) as { importId: string };

    // Through the API meanwhile: 16 persons at a time, each person's steps in order.
    const token = entered.token(['screener', 'coach'], COACHES[0]);
    let enteredAt = '0-0';
    const queue = [...histories];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let rows = queue.shift(); rows; rows = queue.shift()) {
          // A screener and coach of the person's own coach's organisation: the person's coach is named in the registration.
          const position = await enterThroughApi(entered, rows, token);
          if (comparePositions(position, enteredAt) > 0) enteredAt = position;
        }
      }),
    );

    let progress: any;
    for (;;) {
      progress = (await imported.request('GET', `/v1/imports/${importId}`, { token: admin })).body;
      if (progress.status === 'done' || progress.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (progress.status !== 'done') {
      const errors = (await imported.request('GET', `/v1/imports/${importId}/errors`, { token: admin })).body.items;
      throw new Error(`the import failed: ${JSON.stringify(errors.slice(0, 5))}`);
    }
    expect(progress).toMatchObject({ workers: histories.length, errors: 0 });

    for (const [table, query] of [
      ['flows', ''],
      ['outflow', '&method=including-ibo'],
      ['outflow', '&method=employment-only'],
    ] as const) {
      const path = `/v1/statistics/${table}?from=${FROM}&to=${TO + 2}${query}`;
      const fromFile = await imported.request('GET', `${path}&waitFor=${progress.position}`, { roles: ['analyst'] });
      const fromApi = await entered.request('GET', `${path}&waitFor=${enteredAt}`, { roles: ['analyst'] });
      expect(fromFile.status).toBe(200);
      expect(fromFile.body.rows.length).toBeGreaterThan(20);
      expect(fromFile.body).toEqual(fromApi.body);
    }
  }, 600_000);
});
