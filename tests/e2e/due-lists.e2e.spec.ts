import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { CHECK_QUEUE, checkJobId } from '../../apps/worker/src/follow-ups/follow-up-jobs.js';
import { freshInsz } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE } from '../support/directory.js';

/** What is due this week: GET /v1/follow-ups (status due) and GET /v1/return-guarantees, scoped to a coach's caseload. */
describe.each(['pglite', 'postgres'] as const)('due lists (%s)', (store) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ store });
    await service.newCoach('a', coachA);
    await service.newCoach('b', coachB);
  });
  afterAll(async () => {
    await service.close();
  });

  const coachA = `coach-a-${randomUUID().slice(0, 6)}`;
  const coachB = `coach-b-${randomUUID().slice(0, 6)}`;
  const as = (sub: string, ...roles: ('screener' | 'coach' | 'admin' | 'analyst')[]) => service.token(roles, sub);
  const ok = async (res: Promise<{ status: number; body: any }>) => {
    const answer = await res;
    if (answer.status !== 201) throw new Error(`${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  /** A worker of `coach`, placed in SW on `start`, exited on `exit` for `reason`. */
  async function exited(coach: string, start: string, exit: string, reason = 'resignation') {
    const token = as(coach, 'coach');
    const { workerId } = await ok(
      service.request('POST', '/v1/workers', {
        token: as('scr', 'screener'),
        body: { insz: freshInsz(), educationLevel: 'low', migrationBackground: false, disability: false, socialAssistance: false, coach },
      }),
    );
    await ok(
      service.request('POST', `/v1/workers/${workerId}/screenings`, {
        token: as('scr', 'screener'),
        body: { date: start, advice: 'supported-employment', programme: 'SW' },
      }),
    );
    const { placementId } = await ok(
      service.request('POST', `/v1/workers/${workerId}/placements`, {
        token,
        body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: start, fte: 1 },
      }),
    );
    const { position } = await ok(service.request('POST', `/v1/workers/${workerId}/exits`, { token, body: { date: exit, reason } }));
    return { workerId, placementId, position: position as string };
  }

  async function caughtUp(position: string) {
    const res = await service.request('GET', `/v1/workers?limit=1&waitFor=${position}`, { token: as('scr', 'screener') });
    expect(res.status).toBe(200);
  }

  const placements = (body: { items: { placementId: string }[] }) => body.items.map((i) => i.placementId);

  test('GET /v1/follow-ups?status=due: reference date passed, no result yet; a coach sees only their own', async () => {
    // Exits recorded on 2011-06-01: their checks are queued for reference days months ahead (real
    // time), so they do not run in this test; then the service's clock moves to 2011-10-01.
    service.clock.set('2011-06-01T10:00:00Z');
    const dueA = await exited(coachA, '2010-02-01', '2011-02-28');
    const laterA = await exited(coachA, '2010-02-01', '2011-05-31');
    const doneA = await exited(coachA, '2010-02-01', '2011-03-31');
    const dueB = await exited(coachB, '2010-02-01', '2011-01-31');
    // Wait until each check is queued (delayed) before the clock moves past its reference date.
    const checks = new Queue(CHECK_QUEUE, { connection: { url: service.config.redisUrl }, prefix: service.config.queuePrefix });
    try {
      for (const { placementId } of [dueA, laterA, doneA, dueB]) {
        for (let tries = 0; !(await checks.getJob(checkJobId(placementId))); tries++) {
          if (tries > 200) throw new Error('check not queued');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    } finally {
      await checks.close();
    }
    service.clock.set('2011-10-01T10:00:00Z');
    const manual = await ok(
      service.request('POST', `/v1/workers/${doneA.workerId}/follow-ups`, {
        token: as(coachA, 'coach'),
        body: { placementId: doneA.placementId, outcome: 'employed' },
      }),
    );
    await caughtUp(manual.position);

    const mine = await service.request('GET', '/v1/follow-ups?status=due&limit=1000', { token: as(coachA, 'coach') });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      {
        workerId: dueA.workerId,
        givenName: null,
        familyName: null,
        placementId: dueA.placementId,
        programme: 'SW',
        exitDate: '2011-02-28',
        referenceDate: '2011-08-28',
        status: 'scheduled',
        outcome: null,
        source: null,
      },
    ]);
    expect(placements((await service.request('GET', '/v1/follow-ups?status=scheduled&limit=1000', { token: as(coachA, 'coach') })).body).sort()).toEqual(
      [dueA.placementId, laterA.placementId].sort(),
    );
    const done = (await service.request('GET', '/v1/follow-ups?status=done&limit=1000', { token: as(coachA, 'coach') })).body.items;
    expect(done).toEqual([expect.objectContaining({ placementId: doneA.placementId, status: 'done', outcome: 'employed', referenceDate: '2011-09-30' })]);
    expect(placements((await service.request('GET', '/v1/follow-ups?limit=1000', { token: as(coachB, 'coach') })).body)).toEqual([dueB.placementId]);
    expect((await service.request('GET', '/v1/follow-ups?status=due', { token: as(coachB, 'coach') })).body.items).toEqual([
      expect.objectContaining({ workerId: dueB.workerId, referenceDate: '2011-07-31', status: 'scheduled', outcome: null }),
    ]);

    const admin = placements((await service.request('GET', '/v1/follow-ups?status=due&limit=1000', { token: as('adm', 'admin') })).body);
    expect(admin).toEqual(expect.arrayContaining([dueA.placementId, dueB.placementId]));
    expect(admin).not.toContain(laterA.placementId);

    expect((await service.request('GET', '/v1/follow-ups?status=overdue', { token: as('adm', 'admin') })).status).toBe(400);
    expect((await service.request('GET', '/v1/follow-ups', { token: as('scr', 'screener') })).status).toBe(403);
  });

  test('GET /v1/return-guarantees: running guarantees expiring before a date, soonest first, keyset pages', async () => {
    service.clock.set('2026-11-23T10:00:00Z');
    const a1 = await exited(coachA, '2025-02-03', '2026-06-30', 'doorstroom-regular-work');
    const a2 = await exited(coachA, '2025-02-03', '2026-10-30', 'doorstroom-regular-work');
    const b1 = await exited(coachB, '2025-02-03', '2026-01-30', 'doorstroom-regular-work');
    await caughtUp(b1.position);

    const mine = await service.request('GET', '/v1/return-guarantees?status=running&expiresBefore=2027-07-01', { token: as(coachA, 'coach') });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      items: [
        { workerId: a1.workerId, givenName: null, familyName: null, placementId: a1.placementId, programme: 'SW', expiresOn: '2027-06-30', status: 'running' },
      ],
      next: null,
    });
    expect(
      (await service.request('GET', '/v1/return-guarantees?status=running', { token: as(coachA, 'coach') })).body.items.map(
        (i: { workerId: string }) => i.workerId,
      ),
    ).toEqual([a1.workerId, a2.workerId]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await service.request(
        'GET',
        `/v1/return-guarantees?status=running&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: as('adm', 'admin') },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: { workerId: string }) => i.workerId));
      cursor = page.body.next;
    } while (cursor);
    expect(seen.filter((id) => [a1.workerId, a2.workerId, b1.workerId].includes(id))).toEqual([b1.workerId, a1.workerId, a2.workerId]);

    for (const query of ['?expiresBefore=2027-02-30', '?status=open', '?limit=0', '?cursor=abc']) {
      expect([query, (await service.request('GET', `/v1/return-guarantees${query}`, { token: as('adm', 'admin') })).status]).toEqual([query, 400]);
    }
    expect((await service.request('GET', '/v1/return-guarantees', { token: as('ana', 'analyst') })).status).toBe(403);
    expect((await service.request('GET', '/v1/return-guarantees', { token: as('scr', 'screener') })).status).toBe(403);
  });
});
