import { randomUUID } from 'node:crypto';
import type { EventStore } from '#event-store/event-store.js';
import { sealStoredFreeText } from '#personal-data/free-text-upgrade.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { EVENT_STORE } from '#platform/tokens.js';
import { ORGANISATION_A, seedTwoOrganisations } from '../support/access.js';
import { aWorkerScreenedFor, freshInsz } from '../fixtures/workers.js';
import { appendLegacyStream, legacyRegistration } from '../support/legacy-store.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Erasure shreds all personal free text (api.md third round, "Privacy by construction"): a POP's
 * goals and a retraction's reason are stored sealed under the worker's key, read back opened for
 * the worker's reader, and read as null once the key is shredded. Stores written before are
 * upgraded in place (`npm run personal-data:upgrade`).
 */
const GOALS = ['Jan Peeters (0470 12 34 56) wil heftruckchauffeur worden', 'rijbewijs C'];
const REASON = 'verkeerde persoon: dit was Jan Peeters, niet Piet';

describe('free text about a person is sealed, and erasure shreds it', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
    await seedTwoOrganisations(service.database.db);
  }, 60_000);
  afterAll(() => service.close());

  /** Stored events holding `text` in plain form, anywhere in their data. */
  const plainInEvents = async (text: string) =>
    (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE position($1 in data::text) > 0', [text])).rows[0].n;
  const view = async (workerId: string) => (await service.request('GET', `/v1/workers/${workerId}`, { roles: ['screener'] })).body;

  test('goals and reasons are read back by the worker’s readers, are nowhere in the events in plain text, and read null after erasure', async () => {
    const workerId = await aWorkerScreenedFor(service);
    const first = await service.request('POST', `/v1/workers/${workerId}/pops`, { roles: ['coach'], body: { date: '2010-01-10', goals: GOALS } });
    expect(first.status).toBe(201);
    await service.request('POST', `/v1/workers/${workerId}/pops`, { roles: ['coach'], body: { date: '2010-01-11', goals: ['tweede'] } });
    const retracted = await service.request('POST', `/v1/workers/${workerId}/retractions`, {
      roles: ['coach'],
      body: { version: first.body.version + 1, reason: REASON },
    });
    expect(retracted.status).toBe(201);

    const before = await view(workerId);
    expect(before.pop.goals).toEqual(GOALS);
    const timeline = before.timeline as { type: string; data: Record<string, any> }[];
    expect(timeline.find((e) => e.type === 'PopEstablished')!.data).toEqual({ date: '2010-01-10', goals: GOALS });
    const retraction = timeline.find((e) => e.type === 'StepRetracted')!.data;
    expect(retraction).toMatchObject({ reason: REASON, step: { type: 'PopReviewed', data: { date: '2010-01-11', goals: ['tweede'] } } });
    expect(retraction).not.toHaveProperty('reasonCiphertext');
    for (const text of ['Peeters', '0470', 'heftruck', 'tweede', 'verkeerde']) expect([text, await plainInEvents(text)]).toEqual([text, 0]);

    expect((await service.request('DELETE', `/v1/workers/${workerId}/personal-data`, { roles: ['admin'] })).status).toBe(204);
    const after = await view(workerId);
    expect(after.pop).toEqual({ establishedOn: '2010-01-10', reviewedOn: null, goals: null });
    const erasedTimeline = after.timeline as { type: string; data: Record<string, any> }[];
    expect(erasedTimeline.find((e) => e.type === 'PopEstablished')!.data).toEqual({ date: '2010-01-10', goals: null });
    expect(erasedTimeline.find((e) => e.type === 'StepRetracted')!.data).toMatchObject({ reason: null, step: { data: { goals: null } } });
    // What stays is the trajectory itself: dates, programmes, outcomes (docs/erasure-and-audit.md).
    expect(after.latestScreening).toMatchObject({ advice: 'supported-employment', programme: 'SW' });
  });

  test('the upgrade seals the plain goals, reasons and typed employers of a store written before, and drops those of erased workers', async () => {
    const personalData = service.app.get(PersonalData);
    const store = service.app.get<symbol, EventStore>(EVENT_STORE);
    const legacy = async (erased: boolean) => {
      const workerId = randomUUID();
      const pop = { type: 'V1.PopEstablished', data: { date: '2010-01-10', goals: [`${erased ? 'Els' : 'Jan'} Peeters wil lassen`] } };
      await appendLegacyStream(store, workerId, [
        await legacyRegistration(personalData, workerId, freshInsz(), { givenNameCiphertext: null, familyNameCiphertext: null, coach: 'tester' }),
        pop,
        { type: 'V1.PopReviewed', data: { date: '2010-01-11', goals: ['plain review'] } },
        {
          type: 'V1.StepRetracted',
          data: {
            version: 3,
            reason: `typo by ${erased ? 'Els' : 'Jan'} Peeters`,
            retractedOn: '2010-01-12',
            step: { type: 'PopReviewed', data: { date: '2010-01-11', goals: ['plain review'] } },
            withdrawnVersions: [],
            withdrawnFollowUp: null,
            returnGuaranteeChanged: false,
            returnGuarantee: null,
          },
        },
        {
          type: 'V1.PlacementStarted',
          data: {
            placementId: randomUUID(),
            programme: 'SW',
            // typed as free text before the directory, or an organisation of the directory
            enterpriseId: erased ? ORGANISATION_A : 'Bakkerij Jan Peeters',
            startDate: '2010-02-01',
            fte: 1,
            underReturnGuarantee: false,
          },
        },
      ]);
      if (erased) await personalData.shredWorkerKey(workerId);
      return workerId;
    };
    const kept = await legacy(false);
    const erased = await legacy(true);

    // Before the upgrade the old events still read, through the upcaster.
    const old = await view(kept);
    expect(old.pop.goals).toEqual(['Jan Peeters wil lassen']);
    expect(old.timeline.find((e: { type: string }) => e.type === 'StepRetracted').data.reason).toBe('typo by Jan Peeters');
    expect(old.placements[0].enterpriseId).toBe('Bakkerij Jan Peeters');
    expect(await plainInEvents('Peeters')).toBe(5);

    expect(await sealStoredFreeText(service.database.db, personalData)).toEqual({ events: 7, erased: 3 });
    expect(await plainInEvents('Peeters')).toBe(0);
    expect(await plainInEvents('plain review')).toBe(0);
    const upgraded = await view(kept);
    expect(upgraded.pop.goals).toEqual(['Jan Peeters wil lassen']);
    expect(upgraded.timeline.find((e: { type: string }) => e.type === 'StepRetracted').data).toMatchObject({
      reason: 'typo by Jan Peeters',
      step: { data: { goals: ['plain review'] } },
    });
    expect(upgraded.placements[0].enterpriseId).toBe('Bakkerij Jan Peeters');
    expect(upgraded.timeline.find((e: { type: string }) => e.type === 'PlacementStarted').data.enterpriseId).toBe('Bakkerij Jan Peeters');
    const gone = await view(erased);
    expect(gone.placements[0].enterpriseId).toBe(ORGANISATION_A);
    expect(gone.pop.goals).toBeNull();
    expect(gone.timeline.find((e: { type: string }) => e.type === 'StepRetracted').data.reason).toBeNull();
    // Erasing the kept worker now shreds their employer's name too.
    expect((await service.request('DELETE', `/v1/workers/${kept}/personal-data`, { roles: ['admin'] })).status).toBe(204);
    expect((await view(kept)).placements[0].enterpriseId).toBeNull();
    // A second run finds nothing to do.
    expect(await sealStoredFreeText(service.database.db, personalData)).toEqual({ events: 0, erased: 0 });
  });
});
