import { randomUUID } from 'node:crypto';
import type { EventStore } from '#event-store/event-store.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { EVENT_STORE } from '#platform/tokens.js';
import { freshInsz } from '../fixtures/workers.js';
import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';
import { appendLegacyStream, legacyRegistration } from '../support/legacy-store.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * A store as the release before the directory wrote it: coaches were any sub, enterprises any
 * text. The upgrade keeps all of it readable and commandable; only new assignments and new
 * placements meet the directory's rules.
 */
describe.each(['pglite', 'postgres'] as const)('upgrading a store written before the directory (%s)', (store) => {
  let service: TestService;
  let workerId: string;
  let placementId: string;
  const insz = freshInsz();

  beforeAll(async () => {
    service = await startTestService({ store });
    const personalData = service.app.get(PersonalData);
    const events = service.app.get<symbol, EventStore>(EVENT_STORE);
    workerId = randomUUID();
    placementId = randomUUID();
    await personalData.claimAndSeal(personalData.hashInsz(insz), workerId, []);
    await appendLegacyStream(events, workerId, [
      await legacyRegistration(personalData, workerId, insz, { givenNameCiphertext: null, familyNameCiphertext: null, coach: 'jan' }),
      { type: 'V1.ScreeningRecorded', data: { date: '2010-01-05', advice: 'supported-employment', programme: 'SW', indication: null } },
      {
        type: 'V1.PlacementStarted',
        data: { placementId, programme: 'SW', enterpriseId: 'ent-42', startDate: '2010-02-01', fte: 1, underReturnGuarantee: false },
      },
    ]);
    // The new release starts on that store.
    await service.restart();
  });
  afterAll(async () => {
    await service.close();
  });

  const jan = () => service.token(['coach'], 'jan');

  test('old placements keep their enterpriseId and name no organisation; a coach outside the directory keeps their worker', async () => {
    const worker = await service.request('GET', `/v1/workers/${workerId}`, { token: jan() });
    expect(worker.status).toBe(200);
    expect(worker.body).toMatchObject({ insz, coach: 'jan', organisation: null });
    expect(worker.body.placements).toEqual([expect.objectContaining({ placementId, enterpriseId: 'ent-42', organisation: null })]);
    const pop = await service.request('POST', `/v1/workers/${workerId}/pops`, { token: jan(), body: { date: '2010-03-01', goals: ['punctuality'] } });
    expect(pop.status).toBe(201);
    const listed = await service.request('GET', `/v1/workers?waitFor=${pop.body.position}`, { token: jan() });
    expect(listed.body.items.map((item: { workerId: string }) => item.workerId)).toEqual([workerId]);
  });

  test('what comes next meets the directory: an exit is fine, a new placement needs a registered enterprise, a new coach a member', async () => {
    expect((await service.request('POST', `/v1/workers/${workerId}/exits`, { token: jan(), body: { date: '2010-06-30', reason: 'resignation' } })).status).toBe(
      201,
    );
    await service.request('POST', `/v1/workers/${workerId}/screenings`, {
      roles: ['screener'],
      body: { date: '2010-07-01', advice: 'supported-employment', programme: 'SW' },
    });
    const again = (enterpriseId: string) =>
      service.request('POST', `/v1/workers/${workerId}/placements`, { token: jan(), body: { programme: 'SW', enterpriseId, startDate: '2010-08-01', fte: 1 } });
    expect((await again('ent-42')).body.rule).toBe('unknown-enterprise');
    expect((await again(TEST_ENTERPRISE)).status).toBe(201);
    const assigned = await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { roles: ['screener'], body: { coach: 'piet' } });
    expect(assigned.body.rule).toBe('unknown-coach');
    const moved = await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, {
      roles: ['screener'],
      body: { coach: TEST_ORGANISATIONS.a.coach },
    });
    expect(moved.status).toBe(201);
    const worker = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['screener'] });
    expect(worker.body.organisation).toEqual({ organisationId: TEST_ORGANISATIONS.a.organisationId, name: TEST_ORGANISATIONS.a.name });
    expect(worker.body.placements.map((p: { enterpriseId: string }) => p.enterpriseId)).toEqual(['ent-42', TEST_ORGANISATIONS.a.organisationId]);
  });
});
