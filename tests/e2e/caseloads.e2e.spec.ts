import { comparePositions } from '#event-store/event-store.js';
import { randomUUID } from 'node:crypto';
import { freshInsz, registration as registrationForTester } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';

/** A registration body that names no coach. */
const registration = (insz?: string) => {
  const { coach: _coach, ...body } = registrationForTester(insz);
  return body;
};

/** People and caseloads (api.md "Second round"): names, coach assignment, scoping. */
describe.each(['pglite', 'postgres'] as const)('names, coaches and caseload scoping (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service.close();
  });

  const as = (sub: string, ...roles: ('screener' | 'coach' | 'admin' | 'analyst')[]) => service.token(roles, sub);
  const get = (workerId: string, token: string) => service.request('GET', `/v1/workers/${workerId}`, { token });
  const register = (token: string, body: Record<string, unknown>) => service.request('POST', '/v1/workers', { token, body });
  const eventCount = async () => (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;

  test('names are stored encrypted and read back by the coach named at registration', async () => {
    const insz = freshInsz();
    const created = await register(as('scr-1', 'screener'), { ...registration(insz), givenName: 'An', familyName: 'Vermeulen-Ülker', coach: 'coach-ann' });
    expect(created.status).toBe(201);
    const { workerId } = created.body;

    const read = await get(workerId, as('coach-ann', 'coach'));
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toMatchObject({ workerId, insz, givenName: 'An', familyName: 'Vermeulen-Ülker', coach: 'coach-ann' });
    expect(read.body.timeline.map((e: { type: string; data: { coach?: string } }) => [e.type, e.data.coach])).toEqual([['WorkerRegistered', 'coach-ann']]);

    const { rows } = await service.database.db.query<{ data: string }>('SELECT data::text AS data FROM events WHERE stream_id = $1', [`worker-${workerId}`]);
    const stored = rows.map((r) => r.data).join('\n');
    expect(stored).not.toContain('Vermeulen');
    expect(stored).not.toContain(insz);
    expect(stored).toContain('givenNameCiphertext');
  });

  test('a coach who registers without naming a coach becomes the coach; a screener leaves it empty', async () => {
    const byCoach = await register(as('coach-bea', 'coach'), registration());
    expect((await get(byCoach.body.workerId, as('coach-bea', 'coach'))).body).toMatchObject({ coach: 'coach-bea', givenName: null, familyName: null });
    const byScreener = await register(as('scr-1', 'screener'), registration());
    expect((await get(byScreener.body.workerId, as('scr-1', 'screener'))).body.coach).toBeNull();
  });

  test("another coach's worker answers exactly as an unknown worker, for reads and commands, and nothing is written", async () => {
    const { workerId } = (await register(as('coach-ann', 'coach'), registration())).body;
    const unknown = randomUUID();
    const foreign = await get(workerId, as('coach-bob', 'coach'));
    const missing = await get(unknown, as('coach-bob', 'coach'));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ ...missing.body, detail: missing.body.detail.replace(unknown, workerId) });

    const before = await eventCount();
    const screening = { date: '2024-01-10', advice: 'supported-employment', programme: 'SW' };
    const pop = await service.request('POST', `/v1/workers/${workerId}/pops`, { token: as('coach-bob', 'coach'), body: { date: '2024-01-10', goals: ['x'] } });
    expect(pop.status).toBe(404);
    const reassign = await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, {
      token: as('coach-bob', 'coach'),
      body: { coach: 'coach-bob' },
    });
    expect(reassign.status).toBe(404);
    expect(await eventCount()).toBe(before);
    // Screeners are not scoped.
    expect((await service.request('POST', `/v1/workers/${workerId}/screenings`, { token: as('scr-1', 'screener'), body: screening })).status).toBe(201);
    expect((await get(workerId, as('scr-1', 'screener'))).status).toBe(200);
  });

  test('coach assignment: screener, admin or the current coach; the old coach loses the worker', async () => {
    const { workerId } = (await register(as('coach-ann', 'coach'), registration())).body;
    const assign = (token: string, coach: unknown) => service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { token, body: { coach } });

    const byScreener = await assign(as('scr-1', 'screener'), 'coach-bob');
    expect(byScreener.status).toBe(201);
    expect(byScreener.body).toEqual({ version: 2, position: expect.any(String) });
    expect((await get(workerId, as('coach-ann', 'coach'))).status).toBe(404);
    expect((await get(workerId, as('coach-bob', 'coach'))).body.coach).toBe('coach-bob');

    expect((await assign(as('coach-ann', 'coach'), 'coach-ann')).status).toBe(404);
    const byCurrent = await assign(as('coach-bob', 'coach'), 'coach-cas');
    expect([byCurrent.status, byCurrent.body.version]).toEqual([201, 3]);
    const byAdmin = await assign(as('adm', 'admin'), 'coach-dirk');
    expect([byAdmin.status, byAdmin.body.version]).toEqual([201, 4]);
    const worker = await get(workerId, as('coach-dirk', 'coach'));
    expect(worker.body.coach).toBe('coach-dirk');
    expect(worker.body.timeline.filter((e: { type: string }) => e.type === 'CoachAssigned').map((e: { data: unknown }) => e.data)).toEqual([
      { coach: 'coach-bob', previousCoach: 'coach-ann' },
      { coach: 'coach-cas', previousCoach: 'coach-bob' },
      { coach: 'coach-dirk', previousCoach: 'coach-cas' },
    ]);

    expect((await assign(as('ana', 'analyst'), 'coach-x')).status).toBe(403);
    for (const bad of ['', 'has space', 42, 'x'.repeat(201)]) expect((await assign(as('adm', 'admin'), bad)).status).toBe(400);
    expect((await service.request('POST', `/v1/workers/${randomUUID()}/coach-assignments`, { token: as('adm', 'admin'), body: { coach: 'c' } })).status).toBe(
      404,
    );
  });

  test("a coach's duplicate registration names the worker only when it is theirs", async () => {
    const insz = freshInsz();
    const { workerId } = (await register(as('coach-ann', 'coach'), registration(insz))).body;
    const again = await register(as('coach-ann', 'coach'), registration(insz));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ rule: 'worker-already-registered', workerId });
    const other = await register(as('coach-bob', 'coach'), registration(insz));
    expect(other.status).toBe(409);
    expect(other.body.rule).toBe('worker-already-registered');
    expect(other.body).not.toHaveProperty('workerId');
    expect(JSON.stringify(other.body)).not.toContain(workerId);
    expect((await register(as('scr-1', 'screener'), registration(insz))).body.workerId).toBe(workerId);
  });

  test('registration input: names 1–100 characters, socialAssistance required', async () => {
    const token = as('scr-1', 'screener');
    const before = await eventCount();
    for (const body of [
      { ...registration(), givenName: '' },
      { ...registration(), familyName: 'x'.repeat(101) },
      { ...registration(), givenName: 7 },
      { ...registration(), coach: '' },
      (({ socialAssistance: _, ...rest }) => rest)(registration()),
    ]) {
      const res = await register(token, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect(await eventCount()).toBe(before);
    expect((await register(token, { ...registration(), givenName: 'x'.repeat(100), familyName: 'Y' })).status).toBe(201);
  });

  describe('GET /v1/workers: the caseload read model', () => {
    const list = (token: string, query = '') => service.request('GET', `/v1/workers${query}`, { token });
    const placeAndMaybeExit = async (workerId: string, coachToken: string, programme: string, exit: boolean) => {
      const advice = programme === 'ARBEIDSZORG' ? 'work-care' : 'supported-employment';
      expect(
        (
          await service.request('POST', `/v1/workers/${workerId}/screenings`, {
            token: as('scr-1', 'screener'),
            body: { date: '2024-01-10', advice, programme },
          })
        ).status,
      ).toBe(201);
      const placed = await service.request('POST', `/v1/workers/${workerId}/placements`, {
        token: coachToken,
        body: { programme, enterpriseId: TEST_ENTERPRISE, startDate: '2024-02-01', fte: 1 },
      });
      expect(placed.status).toBe(201);
      if (!exit) return placed.body.position as string;
      const exited = await service.request('POST', `/v1/workers/${workerId}/exits`, { token: coachToken, body: { date: '2024-03-01', reason: 'resignation' } });
      expect(exited.status).toBe(201);
      return exited.body.position as string;
    };

    test('a coach sees their own caseload, decrypted, with programme, status, last step and version; filters narrow it', async () => {
      const coach = await service.newCoach();
      const token = as(coach, 'coach');
      const inszs = [freshInsz(), freshInsz(), freshInsz()];
      const ids: string[] = [];
      for (const [i, insz] of inszs.entries()) {
        const res = await register(as('scr-1', 'screener'), { ...registration(insz), givenName: `Given${i}`, familyName: `Family${i}`, coach });
        ids.push(res.body.workerId);
      }
      await register(as('scr-1', 'screener'), { ...registration(), coach: await service.newCoach('b', 'someone-else') });
      await placeAndMaybeExit(ids[0], token, 'SW', false);
      const position = await placeAndMaybeExit(ids[1], token, 'ARBEIDSZORG', true);

      const all = await list(token, `?waitFor=${position}`);
      expect(all.status).toBe(200);
      expect(all.headers.get('cache-control')).toBe('no-store');
      const byId = new Map(all.body.items.map((item: { workerId: string }) => [item.workerId, item]));
      expect([...byId.keys()].sort()).toEqual([...ids].sort());
      expect(byId.get(ids[0])).toEqual({
        workerId: ids[0],
        givenName: 'Given0',
        familyName: 'Family0',
        insz: inszs[0],
        coach,
        programme: 'SW',
        status: 'active',
        lastStepDate: '2024-02-01',
        nextCheck: null,
        // The coach is a member of the test directory's organisation A: the worker's organisation.
        organisation: { organisationId: TEST_ORGANISATIONS.a.organisationId, name: TEST_ORGANISATIONS.a.name },
        version: 3,
      });
      expect(byId.get(ids[1])).toMatchObject({ programme: 'ARBEIDSZORG', status: 'exited', lastStepDate: '2024-03-01', version: 4 });
      expect(byId.get(ids[2])).toMatchObject({ programme: null, status: 'registered', lastStepDate: null, version: 1, givenName: 'Given2' });
      expect(all.body.next).toBeNull();

      expect((await list(token, '?status=active')).body.items.map((i: { workerId: string }) => i.workerId)).toEqual([ids[0]]);
      expect((await list(token, '?status=exited')).body.items.map((i: { workerId: string }) => i.workerId)).toEqual([ids[1]]);
      expect((await list(token, '?programme=ARBEIDSZORG&status=all')).body.items.map((i: { workerId: string }) => i.workerId)).toEqual([ids[1]]);
      // Another coach's caseload is not reachable by naming it; a screener reaches any.
      expect((await list(token, '?coach=someone-else')).body.items).toEqual([]);
      expect((await list(as('other-coach', 'coach'), `?coach=${coach}`)).body.items).toEqual([]);
      const screener = await list(as('scr-1', 'screener'), `?coach=${coach}&status=active`);
      expect(screener.body.items.map((i: { workerId: string }) => i.workerId)).toEqual([ids[0]]);
    });

    test('total equals a count of the rows for every filter, after placements, exits, coach changes, retractions and erasure', async () => {
      const [ann, bob] = [await service.newCoach(), await service.newCoach('b')];
      const screener = as('scr-1', 'screener');
      const registerFor = async (coach: string | undefined) =>
        (await register(screener, { ...registration(), givenName: 'Totaal', familyName: 'Telling', ...(coach ? { coach } : {}) })).body.workerId as string;
      const ids = [
        await registerFor(ann),
        await registerFor(ann),
        await registerFor(ann),
        await registerFor(ann),
        await registerFor(bob),
        await registerFor(undefined),
      ];
      await placeAndMaybeExit(ids[0], as(ann, 'coach'), 'SW', false);
      await placeAndMaybeExit(ids[1], as(ann, 'coach'), 'ARBEIDSZORG', true);
      await placeAndMaybeExit(ids[2], as(ann, 'coach'), 'SW', true);
      const { timeline } = (await get(ids[2], screener)).body as { timeline: { type: string; version: number }[] };
      const exit = timeline.find((e) => e.type === 'WorkerExited')!;
      const retracted = await service.request('POST', `/v1/workers/${ids[2]}/retractions`, {
        token: as(ann, 'coach'),
        body: { version: exit.version, reason: 'no exit' },
      });
      expect(retracted.status).toBe(201);
      expect((await service.request('POST', `/v1/workers/${ids[3]}/coach-assignments`, { token: screener, body: { coach: bob } })).status).toBe(201);
      await placeAndMaybeExit(ids[4], as(bob, 'coach'), 'SW', true);
      expect((await service.request('DELETE', `/v1/workers/${ids[4]}/personal-data`, { token: as('adm', 'admin') })).status).toBe(204);
      const last = (await service.request('POST', `/v1/workers/${ids[5]}/coach-assignments`, { token: screener, body: { coach: ann } })).body
        .position as string;
      expect((await list(screener, `?waitFor=${last}`)).status).toBe(200);

      const rowCount = async (where: string[], values: unknown[]) =>
        (
          await service.database.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM caseload_workers ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
            values,
          )
        ).rows[0].n;
      const organisations = [undefined, TEST_ORGANISATIONS.a.organisationId, TEST_ORGANISATIONS.b.organisationId];
      let compared = 0;
      for (const [token, reach] of [
        [screener, null],
        [as(ann, 'coach'), ann],
        [as(bob, 'coach'), bob],
      ] as const)
        for (const coach of [undefined, ann, bob])
          for (const programme of [undefined, 'SW', 'ARBEIDSZORG'])
            for (const status of [undefined, 'active', 'exited'])
              for (const organisation of reach === null ? organisations : [undefined])
                for (const q of [undefined, 'totaal tel']) {
                  const filters = { coach, programme, status, organisation, q };
                  const query = Object.entries(filters).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${encodeURIComponent(v)}`]));
                  const where: string[] = [];
                  const values: unknown[] = [];
                  const add = (condition: string, value: unknown) => where.push(condition.replace('?', `$${values.push(value)}`));
                  if (reach !== null) add('coach = ?', reach);
                  if (coach) add('coach = ?', coach);
                  if (programme) add('programme = ?', programme);
                  if (status) add('status = ?', status);
                  if (organisation) add('coach IN (SELECT sub FROM organisation_members WHERE organisation_id = ?)', organisation);
                  // Erased workers lose their name words: only the six registered here can match the name, minus the erased one.
                  if (q)
                    add(
                      'worker_id = ANY(?::text[])',
                      ids.filter((id) => id !== ids[4]),
                    );
                  const answer = await list(token, `?limit=200&${query.join('&')}`);
                  expect([query, answer.status]).toEqual([query, 200]);
                  expect([query, answer.body.total]).toEqual([query, await rowCount(where, values)]);
                  if (answer.body.next === null) expect(answer.body.items).toHaveLength(answer.body.total);
                  compared++;
                }
      expect(compared).toBe(3 * 3 * 3 * 2 * (3 + 1 + 1));
      // The caseloads named here are small: their totals are known without the database.
      expect((await list(as(ann, 'coach'), '')).body.total).toBe(4);
      expect((await list(as(bob, 'coach'), '')).body.total).toBe(2);
      expect((await list(screener, `?coach=${ann}&programme=SW&status=active`)).body.total).toBe(2);
      expect((await list(screener, `?coach=${bob}&status=exited`)).body.total).toBe(1);
    });

    test('keyset pages: every worker exactly once while others register in between', async () => {
      const coach = await service.newCoach();
      const registerOne = async () => (await register(as('scr-1', 'screener'), { ...registration(), coach })).body as { workerId: string; position: string };
      const first = await Promise.all(Array.from({ length: 7 }, registerOne));
      const seen: string[] = [];
      let cursor: string | null = null;
      let added: { workerId: string; position: string }[] = [];
      // Registrations run concurrently: the last to answer need not hold the highest position.
      const highest = (answers: { position: string }[]) => answers.map((a) => a.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
      let last = highest(first);
      for (let page = 0; page < 20; page++) {
        const query: string = `?coach=${coach}&limit=3&waitFor=${last}${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await list(as('scr-1', 'screener'), query);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((i: { workerId: string }) => i.workerId));
        cursor = res.body.next;
        if (page === 0) {
          added = await Promise.all([registerOne(), registerOne()]);
          last = highest(added);
        }
        if (!cursor) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      const firstIds = first.map((w) => w.workerId);
      for (const id of firstIds) expect(seen).toContain(id);
      // A worker added behind the cursor is not shown on a later page; one ahead of it is.
      const firstPageEnd = [...seen].slice(0, 3).sort().at(-1)!;
      for (const { workerId } of added) expect(seen.includes(workerId)).toBe(workerId > firstPageEnd);
      expect([...seen]).toEqual([...seen].sort());
    });

    test("a screener's exact INSZ lookup: one item or none", async () => {
      const insz = freshInsz();
      const { workerId, position } = (await register(as('scr-1', 'screener'), { ...registration(insz), givenName: 'Lookup' })).body;
      const found = await list(as('scr-1', 'screener'), `?insz=${insz}&waitFor=${position}`);
      expect(found.body.items).toEqual([expect.objectContaining({ workerId, insz, givenName: 'Lookup' })]);
      const dotted = `${insz.slice(0, 2)}.${insz.slice(2, 4)}.${insz.slice(4, 6)}-${insz.slice(6, 9)}.${insz.slice(9)}`;
      expect((await list(as('scr-1', 'screener'), `?insz=${encodeURIComponent(dotted)}`)).body.items.map((i: { workerId: string }) => i.workerId)).toEqual([
        workerId,
      ]);
      expect((await list(as('scr-1', 'screener'), `?insz=${freshInsz()}`)).body).toEqual({ items: [], total: 0, next: null });
      // A coach's lookup stays within their caseload.
      expect((await list(as('coach-nobody', 'coach'), `?insz=${insz}`)).body.items).toEqual([]);
    });

    test('bad queries are 400, other roles 403', async () => {
      const token = as('scr-1', 'screener');
      const otherShape = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
      for (const query of [
        '?limit=0',
        '?limit=201',
        '?limit=abc',
        '?status=running',
        '?programme=XX',
        '?insz=12345678901',
        '?cursor=%00',
        `?cursor=${otherShape}`,
        '?cursor=bm90IGpzb24',
        '?waitFor=x',
      ]) {
        const res = await list(token, query);
        expect([query, res.status]).toEqual([query, 400]);
      }
      expect((await list(as('ana', 'analyst'))).status).toBe(403);
      // Admins list workers since the directory (GET /v1/workers?organisation=<id>, docs/organisations.md).
      expect((await list(as('adm', 'admin'))).status).toBe(200);
    });
  });
});
