import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { CHECK_QUEUE, checkJobId } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { aWorkerPlacedIn, freshInsz, registration } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

/** DELETE /v1/workers/{id}/personal-data: erasure that unlinks the person from the trajectory. */
describe.each(['pglite', 'postgres'] as const)('erasure that unlinks (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service.close();
  });

  const admin = () => service.token(['admin'], 'adm-1');
  const erase = (workerId: string, token = admin()) => service.request('DELETE', `/v1/workers/${workerId}/personal-data`, { token });
  const count = async (sql: string, params: unknown[] = []) => (await service.database.db.query<{ n: number }>(sql, params)).rows[0].n;

  test('the worker reads without INSZ and names; the same INSZ registers as a new worker; nothing left links them', async () => {
    const insz = freshInsz();
    const hash = service.app.get(PersonalData).hashInsz(insz);
    const first = await service.request('POST', '/v1/workers', {
      roles: ['screener'],
      headers: { 'idempotency-key': 'reg-1' },
      body: { ...registration(insz), givenName: 'Els', familyName: 'Peeters' },
    });
    expect(first.status).toBe(201);
    const oldId = first.body.workerId as string;
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys WHERE request_hash = $1', [hash])).toBe(0);
    // Nothing in the log is derived from the INSZ.
    expect(await count("SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%' || $1 || '%' OR stream_id LIKE '%' || $1 || '%'", [hash])).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM events WHERE data ? 'inszHash'")).toBe(0);

    const erased = await erase(oldId);
    expect(erased.status).toBe(204);
    expect(erased.body).toBe('');
    const read = await service.request('GET', `/v1/workers/${oldId}`, { roles: ['screener'] });
    expect(read.status).toBe(200);
    expect([read.body.insz, read.body.givenName, read.body.familyName]).toEqual([null, null, null]);
    expect(read.body.version).toBe(1);

    expect(await count('SELECT count(*)::int AS n FROM insz_lookup WHERE worker_id = $1 OR insz_hash = $2', [oldId, hash])).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM idempotency_keys WHERE body->>'workerId' = $1", [oldId])).toBe(0);
    const listed = await service.request('GET', `/v1/workers?insz=${insz}`, { roles: ['screener'] });
    expect(listed.body.items).toEqual([]);

    const again = await service.request('POST', '/v1/workers', {
      roles: ['screener'],
      headers: { 'idempotency-key': 'reg-1' },
      body: { ...registration(insz), givenName: 'Els', familyName: 'Peeters' },
    });
    expect(again.status).toBe(201);
    expect(again.body.workerId).not.toBe(oldId);
    expect((await service.request('GET', `/v1/workers/${again.body.workerId}`, { roles: ['screener'] })).body).toMatchObject({
      insz,
      givenName: 'Els',
      version: 1,
    });
    const found = await service.request('GET', `/v1/workers?insz=${insz}&waitFor=${again.body.position}`, { roles: ['screener'] });
    expect(found.body.items.map((i: { workerId: string }) => i.workerId)).toEqual([again.body.workerId]);
    // The caseload row of the old worker keeps no readable personal data.
    const all = await service.request('GET', `/v1/workers?limit=200&waitFor=${again.body.position}`, { roles: ['screener'] });
    const old = all.body.items.find((i: { workerId: string }) => i.workerId === oldId);
    if (old) expect([old.insz, old.givenName, old.familyName]).toEqual([null, null, null]);
    // Audit entries name worker ids only.
    expect(await count("SELECT count(*)::int AS n FROM audit_log WHERE detail LIKE '%' || $1 || '%' OR detail LIKE '%Peeters%'", [insz])).toBe(0);
  });

  test('a second erasure is 204 again; an unknown worker 404; other roles 403; statistics do not change', async () => {
    const { workerId } = await aWorkerPlacedIn(service, 'SW', '2010-02-01');
    const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: '2011-02-28', reason: 'resignation' } });
    const flows = () => service.request('GET', `/v1/statistics/flows?year=2011&waitFor=${exit.body.position}`, { roles: ['analyst'] });
    const before = await flows();
    expect(before.status).toBe(200);
    expect((await erase(workerId, service.token(['coach', 'screener'], 'tester'))).status).toBe(403);
    expect((await erase(workerId)).status).toBe(204);
    expect((await erase(workerId)).status).toBe(204);
    expect((await flows()).body).toEqual(before.body);
    const unknown = await erase(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('/problems/worker-not-found');
    expect((await erase('not-a-uuid')).status).toBe(404);
  });

  test("an erased worker's six-month check stays pending (never not-at-work) and due for a manual result", async () => {
    // A historic exit after erasure: its check runs at once, but the register can no longer be asked.
    const year = 2009;
    const { workerId, placementId } = await aWorkerPlacedIn(service, 'SW', `${year - 1}-02-02`);
    expect((await erase(workerId)).status).toBe(204);
    const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: `${year}-01-31`, reason: 'resignation' } });
    expect(exit.status).toBe(201);
    const queue = new Queue(CHECK_QUEUE, { connection: { url: service.config.redisUrl }, prefix: service.config.queuePrefix });
    try {
      for (const deadline = Date.now() + 30_000; (await queue.getJobState(checkJobId(placementId))) !== 'completed';) {
        if (Date.now() > deadline) throw new Error('the check did not run');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await queue.getJob(checkJobId(placementId)))?.returnvalue).toMatch(/personal data erased/);
    } finally {
      await queue.close();
    }
    const total = async (waitFor: string) =>
      (await service.request('GET', `/v1/statistics/outflow?year=${year}&waitFor=${waitFor}`, { roles: ['analyst'] })).body.rows.find(
        (r: { programme: string }) => r.programme === 'TOTAL',
      );
    expect(await total(exit.body.position)).toMatchObject({ exited: 1, toWork: 0, pending: 1 });
    const due = await service.request('GET', '/v1/follow-ups?status=due&limit=200', { roles: ['admin'] });
    expect(due.body.items.map((i: { placementId: string }) => i.placementId)).toContain(placementId);

    const manual = await service.request('POST', `/v1/workers/${workerId}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'employed' } });
    expect(manual.status).toBe(201);
    expect(await total(manual.body.position)).toMatchObject({ exited: 1, toWork: 1, pending: 0 });
  });

  test('idempotency records are keyed and expire after 24 hours', async () => {
    const body = registration();
    const first = await service.request('POST', '/v1/workers', { roles: ['screener'], headers: { 'idempotency-key': 'exp-1' }, body });
    expect(first.status).toBe(201);
    const repeat = await service.request('POST', '/v1/workers', { roles: ['screener'], headers: { 'idempotency-key': 'exp-1' }, body });
    expect([repeat.status, repeat.body.workerId, repeat.headers.get('idempotent-replayed')]).toEqual([201, first.body.workerId, 'true']);
    await service.database.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'exp-1'");
    // Expired: the same key is a new request (here refused as a duplicate INSZ), not a replay.
    const late = await service.request('POST', '/v1/workers', { roles: ['screener'], headers: { 'idempotency-key': 'exp-1' }, body });
    expect(late.status).toBe(409);
    expect(late.headers.get('idempotent-replayed')).toBeNull();
  });
});
