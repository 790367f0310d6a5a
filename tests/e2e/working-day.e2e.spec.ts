import { randomUUID } from 'node:crypto';
import { freshInsz, registration } from '../fixtures/workers.js';
import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';
import { startTestService, type TestService } from '../support/service.js';
import type { Role } from '../../apps/api/src/http/auth.js';
import { eventually } from '../support/eventually.js';

/**
 * A working day (api.md third round): notes, the phase and the next steps a caller may take,
 * names in the due lists, provisional results, finding workers by name, and error codes.
 * The service's clock stands on 2026-11-23.
 */

const TODAY = '2026-11-23';
/** Another coach (a member of the test directory once there is one) and employers for placements and returns. */
/** Another coach of the test directory's organisation A, and that organisation as the employer. */
const OTHER_COACH = TEST_ORGANISATIONS.a.secondCoach;
const EMPLOYER = TEST_ENTERPRISE;

describe('a working day', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  }, 60_000);
  afterAll(() => service.close());

  /** A caller; the token is made when a request is sent (the service starts in beforeAll). */
  const as = (sub: string, ...roles: Role[]) => ({
    get token() {
      return service.token(roles, sub);
    },
  });
  const coach = as('tester', 'coach');
  const screener = as('screener-1', 'screener');
  const admin = as('admin-1', 'admin');

  async function register(body: Record<string, unknown> = {}) {
    const res = await service.request('POST', '/v1/workers', { ...screener, body: { ...registration(), ...body } });
    expect(res.status).toBe(201);
    return res.body as { workerId: string; position: string };
  }
  const post = (workerId: string, what: string, body: unknown, who = coach) => service.request('POST', `/v1/workers/${workerId}/${what}`, { ...who, body });
  const view = async (workerId: string, who = coach) => {
    const res = await service.request('GET', `/v1/workers/${workerId}`, who);
    expect(res.status).toBe(200);
    return res.body;
  };

  describe('notes', () => {
    test('a coach and a screener write notes; the worker view lists them newest date first, then newest recorded', async () => {
      const { workerId } = await register();
      const first = await post(workerId, 'notes', { date: '2026-11-20', kind: 'phone', text: 'Gebeld over het uurrooster' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ noteId: expect.any(String), version: 2, position: expect.any(String) });
      expect((await post(workerId, 'notes', { date: '2026-11-22', kind: 'meeting', text: 'Gesprek met de werkvloerbegeleider' }, screener)).status).toBe(201);
      expect((await post(workerId, 'notes', { date: '2026-11-20', kind: 'contact', text: 'Mail van de werkgever' })).status).toBe(201);
      const { notes, lastStepDate } = await view(workerId);
      expect(lastStepDate).toBeNull();
      expect(notes.map((n: { kind: string; by: string; text: string }) => [n.kind, n.by, n.text])).toEqual([
        ['meeting', 'screener-1', 'Gesprek met de werkvloerbegeleider'],
        ['contact', 'tester', 'Mail van de werkgever'],
        ['phone', 'tester', 'Gebeld over het uurrooster'],
      ]);
      expect(notes[2]).toEqual({
        noteId: first.body.noteId,
        date: '2026-11-20',
        kind: 'phone',
        text: 'Gebeld over het uurrooster',
        by: 'tester',
        recordedAt: expect.any(String),
      });
    });

    test('the text is sealed: never in the event store in plain text', async () => {
      const { workerId } = await register();
      await post(workerId, 'notes', { date: TODAY, kind: 'note', text: 'Vertelde over haar rugklachten' });
      const { rows } = await service.database.db.query<{ data: unknown }>(`SELECT data FROM events WHERE stream_id = $1`, [`worker-${workerId}`]);
      const stored = JSON.stringify(rows);
      expect(stored).toContain('textCiphertext');
      expect(stored).not.toContain('rugklachten');
    });

    test('a note is not a step: it does not block retracting the latest step, and retracting it is 409 not-a-step', async () => {
      const { workerId } = await register();
      const screened = await post(workerId, 'screenings', { date: '2026-11-02', advice: 'supported-employment', programme: 'SW' }, screener);
      const note = await post(workerId, 'notes', { date: TODAY, kind: 'note', text: 'Screening besproken' });
      const refused = await post(workerId, 'retractions', { version: note.body.version, reason: 'vergissing' });
      expect(refused.status).toBe(409);
      expect(refused.body.rule).toBe('not-a-step');
      const retracted = await post(workerId, 'retractions', { version: screened.body.version, reason: 'verkeerde werknemer' }, screener);
      expect(retracted.status).toBe(201);
      expect((await view(workerId)).notes).toHaveLength(1);
    });

    test('bad notes are 400 with a code per field, and write nothing', async () => {
      const { workerId } = await register();
      const res = await post(workerId, 'notes', { date: '2026-02-30', kind: 'email', text: 'x'.repeat(2001) });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
        ['date', 'not-a-date'],
        ['kind', 'not-allowed'],
        ['text', 'too-long'],
      ]);
      const empty = await post(workerId, 'notes', { date: TODAY, kind: 'note' });
      expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'text', code: 'required' })]);
      const future = await post(workerId, 'notes', { date: '2026-11-24', kind: 'note', text: 'morgen' });
      expect(future.body.rule).toBe('date-in-future');
      expect((await view(workerId)).version).toBe(1);
    });

    test("another coach's worker answers 404, an analyst 403; nothing is written", async () => {
      const { workerId } = await register();
      const other = await post(workerId, 'notes', { date: TODAY, kind: 'note', text: 'x' }, as('coach-elsewhere', 'coach'));
      expect(other.status).toBe(404);
      const unknown = await post(randomUUID(), 'notes', { date: TODAY, kind: 'note', text: 'x' });
      expect(unknown.status).toBe(404);
      expect((await post(workerId, 'notes', { date: TODAY, kind: 'note', text: 'x' }, as('ann', 'analyst'))).status).toBe(403);
      expect((await view(workerId)).notes).toEqual([]);
    });

    test('erasure shreds the text: notes stay listed with text null, and no new note can be written', async () => {
      const { workerId } = await register();
      await post(workerId, 'notes', { date: TODAY, kind: 'phone', text: 'Belde over haar kinderopvang' });
      expect((await service.request('DELETE', `/v1/workers/${workerId}/personal-data`, admin)).status).toBe(204);
      const { notes, nextSteps } = await view(workerId);
      expect(notes).toEqual([expect.objectContaining({ kind: 'phone', text: null, by: 'tester' })]);
      expect(nextSteps).not.toContain('note');
      const refused = await post(workerId, 'notes', { date: TODAY, kind: 'note', text: 'x' });
      expect(refused.status).toBe(409);
      expect(refused.body.rule).toBe('personal-data-erased');
    });
  });

  describe('phase and next steps', () => {
    /** Builds a worker of the tests' coach in a phase, through the API. */
    const PHASES: Record<string, (workerId: string) => Promise<void>> = {
      registered: async () => {},
      screened: async (id) => {
        expect((await post(id, 'screenings', { date: '2026-03-02', advice: 'supported-employment', programme: 'SW' }, screener)).status).toBe(201);
      },
      'in-placement': async (id) => {
        await PHASES.screened(id);
        expect((await post(id, 'placements', { programme: 'SW', enterpriseId: EMPLOYER, startDate: '2026-03-02', fte: 1 })).status).toBe(201);
      },
      exited: async (id) => {
        await PHASES['in-placement'](id);
        expect((await post(id, 'exits', { date: '2026-04-30', reason: 'doorstroom-regular-work' })).status).toBe(201);
      },
      returned: async (id) => {
        await PHASES.exited(id);
        expect((await post(id, 'returns', { date: '2026-06-01', enterpriseId: EMPLOYER })).status).toBe(201);
      },
    };
    const STEP_TYPES = new Set(['ScreeningRecorded', 'PopEstablished', 'PopReviewed', 'PlacementStarted', 'WorkerExited']);

    /** A command of each kind with valid data for this worker, as a form would send it. */
    function commandOf(kind: string, worker: any): [path: string, body: unknown] {
      const exited = worker.placements.findLast((p: { exit: unknown }) => p.exit !== null);
      const latestStep = worker.timeline.findLast((e: { type: string }) => STEP_TYPES.has(e.type));
      switch (kind) {
        case 'screening':
          return ['screenings', { date: TODAY, advice: 'regular-work' }];
        case 'pop':
          return ['pops', { date: TODAY, goals: ['op tijd komen'] }];
        case 'placement':
          return ['placements', { programme: worker.latestScreening?.programme ?? 'SW', enterpriseId: EMPLOYER, startDate: TODAY, fte: 1 }];
        case 'exit':
          return ['exits', { date: TODAY, reason: 'other' }];
        case 'return':
          return ['returns', { date: TODAY, enterpriseId: EMPLOYER }];
        case 'follow-up':
          return ['follow-ups', { placementId: exited?.placementId ?? worker.placements[0]?.placementId ?? randomUUID(), outcome: 'employed' }];
        case 'retraction':
          return ['retractions', { version: latestStep?.version ?? 1, reason: 'ingevoerd bij vergissing' }];
        case 'note':
          return ['notes', { date: TODAY, kind: 'contact', text: 'Gebeld' }];
        case 'coach-assignment':
          return ['coach-assignments', { coach: OTHER_COACH }];
      }
      throw new Error(kind);
    }
    const KINDS = ['screening', 'pop', 'placement', 'exit', 'return', 'follow-up', 'retraction', 'note', 'coach-assignment'];
    const CALLERS: Record<string, { token: string }> = {
      screener: as('screener-1', 'screener'),
      coach: as('tester', 'coach'),
      'screener and coach': as('tester', 'screener', 'coach'),
    };

    test.each(Object.keys(PHASES).flatMap((phase) => Object.keys(CALLERS).map((caller) => [phase, caller])))(
      '%s, as %s: every kind offered is accepted, every kind left out is refused',
      async (phase, caller) => {
        const who = CALLERS[caller];
        const offered: string[] = [];
        for (const kind of KINDS) {
          const { workerId } = await register();
          await PHASES[phase](workerId);
          const worker = await view(workerId, who);
          expect(worker.phase).toBe(phase);
          if (worker.nextSteps.includes(kind)) offered.push(kind);
          const [path, body] = commandOf(kind, worker);
          const answer = await post(workerId, path, body, who);
          const accepted = answer.status === 200 || answer.status === 201;
          if (accepted !== worker.nextSteps.includes(kind))
            throw new Error(`${kind}: offered ${worker.nextSteps.includes(kind)}, answered ${answer.status} ${JSON.stringify(answer.body)}`);
          if (!accepted) expect([403, 409]).toContain(answer.status);
        }
        // Not vacuous: every caller can always do something.
        expect(offered).toContain(caller === 'screener' ? 'screening' : 'pop');
      },
      60_000,
    );
  });

  describe('lists where people work', () => {
    test('due checks and guarantees carry names, audited as reads; provisional lists register results not-employed', async () => {
      const { workerId } = await register({ givenName: 'Fatima', familyName: 'El Amrani' });
      await post(workerId, 'screenings', { date: '2012-01-02', advice: 'supported-employment', programme: 'SW' }, screener);
      const placed = await post(workerId, 'placements', { programme: 'SW', enterpriseId: EMPLOYER, startDate: '2012-01-02', fte: 1 });
      const exited = await post(workerId, 'exits', { date: '2013-03-31', reason: 'doorstroom-regular-work' });
      expect(exited.status).toBe(201);
      // A historic exit: the check runs at once and the register finds nothing.
      await eventually(
        async () => (await view(workerId)).placements[0].followUp,
        (f) => f !== null,
      );
      const provisional = await eventually(
        async () => (await service.request('GET', '/v1/follow-ups?status=provisional', coach)).body.items,
        (items: { workerId: string }[]) => items.some((i) => i.workerId === workerId),
      );
      expect(provisional.find((i: { workerId: string }) => i.workerId === workerId)).toMatchObject({
        placementId: placed.body.placementId,
        givenName: 'Fatima',
        familyName: 'El Amrani',
        outcome: 'not-employed',
        source: 'register',
      });
      const guarantees = await service.request('GET', '/v1/return-guarantees', coach);
      expect(guarantees.body.items.find((i: { workerId: string }) => i.workerId === workerId)).toMatchObject({ givenName: 'Fatima', familyName: 'El Amrani' });
      const audit = await service.request('GET', `/v1/audit?workerId=${workerId}&actor=tester`, admin);
      const details = audit.body.items.map((i: { action: string; detail: string }) => `${i.action} ${i.detail}`);
      expect(details).toEqual(expect.arrayContaining(['read GET /v1/follow-ups', 'read GET /v1/return-guarantees']));

      // A coach's result revises it: no longer provisional.
      expect((await post(workerId, 'follow-ups', { placementId: placed.body.placementId, outcome: 'employed' })).status).toBe(201);
      const after = await eventually(
        async () => (await service.request('GET', '/v1/follow-ups?status=provisional', coach)).body.items,
        (items: { workerId: string }[]) => !items.some((i) => i.workerId === workerId),
      );
      expect(after.some((i: { workerId: string }) => i.workerId === workerId)).toBe(false);
    });

    test('the caseload: q finds by the beginnings of name words (case, accents, hyphens), sort, total, nextCheck', async () => {
      const mine = as(await service.newCoach('a', 'coach-q'), 'coach');
      const named = async (givenName: string, familyName: string) => (await register({ givenName, familyName, coach: 'coach-q' })).workerId;
      const elodie = await named('Élodie', 'Van den Broeck');
      const jan = await named('Jan-Pieter', 'De Smet');
      const ann = await named('Ann', 'Peeters');
      const nameless = (await register({ coach: 'coach-q' })).workerId;
      await post(ann, 'screenings', { date: '2026-06-01', advice: 'supported-employment', programme: 'SW' }, screener);
      await post(ann, 'placements', { programme: 'SW', enterpriseId: EMPLOYER, startDate: '2026-06-01', fte: 1 }, mine);
      const annExit = await post(ann, 'exits', { date: '2026-10-15', reason: 'resignation' }, mine);
      const waitFor = annExit.body.position;
      const list = async (query: string, who = mine) => {
        const res = await service.request('GET', `/v1/workers?waitFor=${waitFor}&${query}`, who);
        expect(res.status).toBe(200);
        return res.body;
      };
      const ids = (body: { items: { workerId: string }[] }) => body.items.map((i) => i.workerId);

      expect(ids(await list('q=van%20broe'))).toEqual([elodie]);
      expect(ids(await list('q=ELO'))).toEqual([elodie]);
      expect(ids(await list('q=smet-jan'))).toEqual([jan]);
      expect(ids(await list('q=pieter'))).toEqual([jan]);
      expect(ids(await list('q=eters'))).toEqual([]);
      expect((await list('q=xyz')).total).toBe(0);
      // Within the caller's scope only.
      expect(ids(await list('q=elodie', as('coach-other', 'coach')))).toEqual([]);
      expect(ids(await list('q=elodie%20van', screener))).toContain(elodie);

      const byName = await list('sort=name');
      expect(byName.total).toBe(4);
      expect(ids(byName)).toEqual([jan, ann, elodie, nameless]);
      const page = await list('sort=name&limit=3');
      expect(ids(page)).toEqual([jan, ann, elodie]);
      expect(ids(await list(`sort=name&limit=3&cursor=${page.next}`))).toEqual([nameless]);
      expect(ids(await list('sort=lastStepDate'))[0]).toBe(ann);
      const byCheck = await list('sort=nextCheck');
      expect(byCheck.items[0]).toMatchObject({
        workerId: ann,
        nextCheck: '2027-04-15',
        organisation: { organisationId: TEST_ORGANISATIONS.a.organisationId, name: TEST_ORGANISATIONS.a.name },
      });
      expect(byCheck.items.slice(1).map((i: { nextCheck: string | null }) => i.nextCheck)).toEqual([null, null, null]);

      // Erasure: the name can no longer be found, and sorts last.
      await service.request('DELETE', `/v1/workers/${elodie}/personal-data`, admin);
      expect(ids(await list('q=elodie'))).toEqual([]);
      expect(ids(await list('sort=name')).slice(0, 2)).toEqual([jan, ann]);
    });

    test('an INSZ that fails its check digits is a 400 with the code insz-check-digits', async () => {
      const insz = freshInsz();
      const wrong = insz.slice(0, 9) + String((Number(insz.slice(9)) + 1) % 100).padStart(2, '0');
      const res = await service.request('POST', '/v1/workers', { ...screener, body: { ...registration(), insz: wrong } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'insz', code: 'insz-check-digits', message: expect.any(String) }]);
      const missing = await service.request('POST', '/v1/workers', { ...screener, body: { ...registration(), educationLevel: undefined } });
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'educationLevel', code: 'required' })]);
    });
  });
});
