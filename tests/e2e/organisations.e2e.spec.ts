import { makeEnterpriseNumber } from '#directory/enterprise-number.js';
import { aWorkerScreenedFor, freshInsz, registration } from '../fixtures/workers.js';
import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';
import { startTestService, type TestService } from '../support/service.js';
import { parseRouteTree } from '../support/built-service.js';

/** The directory over HTTP: organisations, members, and the rules it adds to trajectories (api.md third round). */
describe.each(['pglite', 'postgres'] as const)('organisations and the directory (%s)', (store) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service.close();
  });

  const { a, b } = TEST_ORGANISATIONS;
  const admin = () => service.token(['admin'], 'adm-dir');
  const count = async (table: string) => (await service.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  /** What a refused request must leave as it was: the directory's rows, the audit trail, the events, the INSZ claims and keys. */
  const snapshot = async () => Promise.all(['organisations', 'organisation_members', 'audit_log', 'events', 'insz_lookup', 'worker_keys'].map(count));
  let serial = 0;
  const newNumber = () => makeEnterpriseNumber(String(3_000_000 + ++serial * 7).padStart(8, '0'));
  const register = (body: Record<string, unknown>, token = admin()) => service.request('POST', '/v1/organisations', { token, body });
  const organisationBody = (overrides: Record<string, unknown> = {}) => ({
    enterpriseNumber: newNumber(),
    name: 'Kringloopcentrum Brugse Ommeland',
    kind: 'maatwerkbedrijf',
    postalCode: '8000',
    programmes: ['MAATWERK', 'LDE'],
    ...overrides,
  });
  const putMember = (organisationId: string, sub: string, body: unknown, token = admin()) =>
    service.request('PUT', `/v1/organisations/${organisationId}/members/${encodeURIComponent(sub)}`, { token, body });

  test('an admin registers an organisation: 201, Location, the number in one stored form, the province from the postal code; audited', async () => {
    const digits = newNumber().replaceAll('.', '');
    const created = await register(organisationBody({ enterpriseNumber: `be ${digits}`, name: 'Atelier Émile Zola', postalCode: '3500' }));
    expect(created.status).toBe(201);
    const { organisationId } = created.body;
    expect(created.headers.get('location')).toBe(`/v1/organisations/${organisationId}`);
    const read = await service.request('GET', `/v1/organisations/${organisationId}`, { roles: ['analyst'] });
    expect(read.body).toEqual({
      organisationId,
      enterpriseNumber: `${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`,
      name: 'Atelier Émile Zola',
      kind: 'maatwerkbedrijf',
      postalCode: '3500',
      province: 'LIM',
      programmes: ['MAATWERK', 'LDE'],
    });
    const trail = await service.request('GET', '/v1/audit?actor=adm-dir', { token: admin() });
    expect(trail.body.items.map((item: { detail: string; workerId: string | null }) => [item.workerId, item.detail])).toContainEqual([
      null,
      `directory organisation-registered ${organisationId} ${digits}`,
    ]);
  });

  test('the same enterprise number in another spelling: 409 organisation-already-registered with its organisationId, nothing written', async () => {
    const body = organisationBody();
    const { organisationId } = (await register(body)).body;
    const before = await snapshot();
    const again = await register({ ...body, enterpriseNumber: `BE${body.enterpriseNumber.replaceAll('.', '')}`, name: 'Another name' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ rule: 'organisation-already-registered', organisationId });
    expect(await snapshot()).toEqual(before);
  });

  test.each([
    ['wrong check digits', { enterpriseNumber: '0123.456.748' }, 'enterpriseNumber'],
    ['9 digits', { enterpriseNumber: '012345674' }, 'enterpriseNumber'],
    ['11 digits', { enterpriseNumber: '01234567490' }, 'enterpriseNumber'],
    ['letters', { enterpriseNumber: '0123.45A.749' }, 'enterpriseNumber'],
    ['first digit 2', { enterpriseNumber: '2123.456.749' }, 'enterpriseNumber'],
    ['postal code below 1000', { postalCode: '0999' }, 'postalCode'],
    ['postal code of 5 digits', { postalCode: '10000' }, 'postalCode'],
    ['an unknown kind', { kind: 'company' }, 'kind'],
    ['no programme', { programmes: [] }, 'programmes'],
    ['an unknown programme', { programmes: ['SW', 'XX'] }, 'programmes'],
    ['an empty name', { name: '' }, 'name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name'],
  ])('%s: 400 naming the field, nothing written', async (_, overrides, field) => {
    const before = await snapshot();
    const refused = await register(organisationBody(overrides));
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  test('only admins register or change organisations; every role reads them', async () => {
    const before = await snapshot();
    for (const token of [service.memberToken('a', 'orgAdmin'), service.token(['screener', 'coach', 'analyst'])]) {
      expect((await register(organisationBody(), token)).status).toBe(403);
      expect((await service.request('PATCH', `/v1/organisations/${a.organisationId}`, { token, body: { name: 'Taken over' } })).status).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
    for (const roles of [['coach'], ['screener'], ['analyst'], ['org-admin']] as const) {
      expect((await service.request('GET', `/v1/organisations/${b.organisationId}`, { roles: [...roles] })).body.name).toBe(b.name);
    }
    expect((await service.request('GET', '/v1/organisations/no-such-id', { roles: ['coach'] })).status).toBe(404);
  });

  test('PATCH changes name, postal code (and province) and programmes: 200 with the organisation; bad values 400', async () => {
    const { organisationId } = (await register(organisationBody())).body;
    const changed = await service.request('PATCH', `/v1/organisations/${organisationId}`, {
      token: admin(),
      body: { name: 'Kringloop Oostende', postalCode: '9300', programmes: ['LDE'] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Kringloop Oostende', postalCode: '9300', province: 'OVL', programmes: ['LDE'] });
    const before = await snapshot();
    for (const body of [{ postalCode: '999' }, { programmes: [] }, { enterpriseNumber: '0123.456.749' }, { name: '' }]) {
      expect((await service.request('PATCH', `/v1/organisations/${organisationId}`, { token: admin(), body })).status).toBe(400);
    }
    expect((await service.request('PATCH', '/v1/organisations/nothing', { token: admin(), body: { name: 'x' } })).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('search: words that begin words of the name, case and accents ignored, or the number in any spelling; filters; pages with total', async () => {
    const ids: string[] = [];
    for (const [name, postalCode, programmes] of [
      ['Sociale Werkplaats Hélène Gent', '9000', ['SW']],
      ['Werkplaats Antwerpen Noord', '2060', ['SW', 'LDE']],
      ['Groendienst Gentbrugge', '9050', ['LDE']],
    ] as const) {
      ids.push((await register(organisationBody({ name, postalCode, programmes }))).body.organisationId);
    }
    const search = async (query: string) => (await service.request('GET', `/v1/organisations?${query}`, { roles: ['coach'] })).body;
    expect((await search('q=werkpl%20HELENE')).items.map((o: { organisationId: string }) => o.organisationId)).toEqual([ids[0]]);
    expect((await search('q=gent')).items.map((o: { organisationId: string }) => o.organisationId).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await search('q=plaats')).total).toBe(0);
    expect((await search('q=werkplaats&province=ANT')).items.map((o: { organisationId: string }) => o.organisationId)).toEqual([ids[1]]);
    expect((await search('q=gent&programme=LDE')).items.map((o: { organisationId: string }) => o.organisationId)).toEqual([ids[2]]);
    const byNumber = await search(`q=${encodeURIComponent(`BE${a.enterpriseNumber.replaceAll('.', '')}`)}`);
    expect(byNumber.items.map((o: { organisationId: string }) => o.organisationId)).toEqual([a.organisationId]);
    expect((await search('kind=lde')).items.map((o: { organisationId: string }) => o.organisationId)).toContain(b.organisationId);

    const all = await search('limit=200');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { organisationId: string }[]; total: number; next: string | null } = await search(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.total).toBe(all.total);
      seen.push(...page.items.map((o) => o.organisationId));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all.items.map((o: { organisationId: string }) => o.organisationId));
    for (const query of ['limit=0', 'limit=201', 'province=XXX', 'kind=company', 'cursor=nonsense', 'programme=XX']) {
      expect((await service.request('GET', `/v1/organisations?${query}`, { roles: ['coach'] })).status).toBe(400);
    }
  });

  test('members: 201 added, 200 changed or repeated; listed with roles and total; an org-admin manages their own organisation only', async () => {
    const orgAdminA = service.memberToken('a', 'orgAdmin');
    expect((await putMember(a.organisationId, 'coach-eva', { displayName: 'Eva Peeters', roles: ['coach'] }, orgAdminA)).status).toBe(201);
    expect((await putMember(a.organisationId, 'coach-eva', { displayName: 'Eva Peeters', roles: ['coach'] }, orgAdminA)).status).toBe(200);
    const changed = await putMember(a.organisationId, 'coach-eva', { displayName: 'Eva Peeters-Öztürk', roles: ['coach', 'screener'] }, orgAdminA);
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ sub: 'coach-eva', displayName: 'Eva Peeters-Öztürk', roles: ['coach', 'screener'] });

    const list = (query: string, token = orgAdminA) => service.request('GET', `/v1/organisations/${a.organisationId}/members?${query}`, { token });
    expect((await list('q=ozturk')).body.items).toEqual([{ sub: 'coach-eva', displayName: 'Eva Peeters-Öztürk', roles: ['coach', 'screener'] }]);
    expect((await list('q=coach-ev')).body.items.map((m: { sub: string }) => m.sub)).toEqual(['coach-eva']);
    const coaches = (await list('role=coach&limit=200')).body;
    expect(coaches.total).toBe(coaches.items.length);
    expect(coaches.items.every((m: { roles: string[] }) => m.roles.includes('coach'))).toBe(true);
    const firstPage = (await list('limit=2')).body;
    expect(firstPage.items).toHaveLength(2);
    expect((await list(`limit=200&cursor=${firstPage.next}`)).body.items).toHaveLength(firstPage.total - 2);

    // Who may list: admins, screeners, this organisation's org-admins and coaches.
    expect((await list('', service.memberToken('a', 'coach'))).status).toBe(200);
    expect((await list('', service.token(['screener'], 'any-screener'))).status).toBe(200);
    expect((await list('', service.memberToken('b', 'coach'))).status).toBe(403);
    expect((await list('', service.memberToken('b', 'orgAdmin'))).status).toBe(403);
    expect((await list('', service.token(['analyst']))).status).toBe(403);

    // An org-admin touching another organisation: 403, nothing written.
    const before = await snapshot();
    const orgAdminB = service.memberToken('b', 'orgAdmin');
    expect((await putMember(a.organisationId, 'coach-new', { displayName: 'New', roles: ['coach'] }, orgAdminB)).status).toBe(403);
    expect((await putMember(a.organisationId, 'coach-eva', { displayName: 'Eva', roles: ['org-admin'] }, orgAdminB)).status).toBe(403);
    expect((await service.request('DELETE', `/v1/organisations/${a.organisationId}/members/coach-eva`, { token: orgAdminB })).status).toBe(403);
    // A token role without the membership behind it reaches nothing either.
    expect((await putMember(a.organisationId, 'coach-new', { displayName: 'New', roles: ['coach'] }, service.token(['org-admin'], 'coach-bob'))).status).toBe(
      403,
    );
    expect(await snapshot()).toEqual(before);

    // Every member route the router serves, whatever its body, refuses the other organisation's
    // org-admin and coach before the body is read: a new route there is guarded without remembering.
    const routes = parseRouteTree(service.app.getHttpAdapter().getInstance().printRoutes()).filter((route) =>
      route.path.startsWith('/v1/organisations/:organisationId/members'),
    );
    expect(routes.length).toBeGreaterThanOrEqual(3);
    for (const { method, path } of routes) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const url = path.replace(':organisationId', a.organisationId).replace(':sub', 'coach-eva');
      for (const token of [orgAdminB, service.memberToken('b', 'coach')]) {
        const answer = await service.request(method, url, { token, rawBody: method === 'GET' ? undefined : '{"not": json' });
        const roleRefused = method !== 'GET' && token !== orgAdminB;
        expect([method, path, answer.status]).toEqual([method, path, 403]);
        if (!roleRefused) expect(answer.body.detail).toMatch(/organisation/);
      }
    }
    expect(await snapshot()).toEqual(before);

    expect((await service.request('DELETE', `/v1/organisations/${a.organisationId}/members/coach-eva`, { token: orgAdminA })).status).toBe(204);
    expect((await service.request('DELETE', `/v1/organisations/${a.organisationId}/members/coach-eva`, { token: orgAdminA })).status).toBe(404);
  });

  test('a member of one organisation added to another: 409 member-of-another-organisation, nothing written', async () => {
    const before = await snapshot();
    const refused = await putMember(b.organisationId, a.coach, { displayName: 'Ann', roles: ['coach'] });
    expect(refused.status).toBe(409);
    expect(refused.body.rule).toBe('member-of-another-organisation');
    expect(await snapshot()).toEqual(before);
  });

  test('bad member input: 400, nothing written', async () => {
    const before = await snapshot();
    for (const body of [
      { displayName: '', roles: ['coach'] },
      { displayName: 'x'.repeat(101), roles: ['coach'] },
      { displayName: 'X', roles: [] },
      { displayName: 'X', roles: ['admin'] },
    ]) {
      expect((await putMember(a.organisationId, 'someone', body)).status).toBe(400);
    }
    expect((await putMember(a.organisationId, 'system:jobs', { displayName: 'X', roles: ['coach'] })).status).toBe(400);
    expect((await putMember('no-such-organisation', 'someone', { displayName: 'X', roles: ['coach'] })).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('a coach who still has workers stays: removal or taking the role coach is 409 coach-has-caseload, nothing written', async () => {
    const coach = await service.newCoach('a');
    const created = await service.request('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(freshInsz()), coach } });
    expect(created.status).toBe(201);
    await service.request('GET', `/v1/workers?limit=1&waitFor=${created.body.position}`, { roles: ['screener'] });
    const before = await snapshot();
    const removed = await service.request('DELETE', `/v1/organisations/${a.organisationId}/members/${coach}`, { token: admin() });
    expect(removed.status).toBe(409);
    expect(removed.body.rule).toBe('coach-has-caseload');
    const demoted = await putMember(a.organisationId, coach, { displayName: 'Coach', roles: ['screener'] });
    expect(demoted.status).toBe(409);
    expect(demoted.body.rule).toBe('coach-has-caseload');
    expect(await snapshot()).toEqual(before);
    // Once their worker has another coach, they may go.
    const moved = await service.request('POST', `/v1/workers/${created.body.workerId}/coach-assignments`, { roles: ['screener'], body: { coach: a.coach } });
    await service.request('GET', `/v1/workers?limit=1&waitFor=${moved.body.position}`, { roles: ['screener'] });
    expect((await service.request('DELETE', `/v1/organisations/${a.organisationId}/members/${coach}`, { token: admin() })).status).toBe(204);
  });

  test('GET /v1/workers?organisation=: the workers whose coach is a member; an org-admin gets their own without asking, and no other', async () => {
    const coachA = await service.newCoach('a');
    const coachB = await service.newCoach('b');
    const register = async (coach: string) =>
      (await service.request('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(freshInsz()), coach } })).body as {
        workerId: string;
        position: string;
      };
    const ofA = await register(coachA);
    const ofB = await register(coachB);
    const list = (token: string, query = '') => service.request('GET', `/v1/workers?limit=200&waitFor=${ofB.position}${query}`, { token });
    const ids = (answer: { body: { items: { workerId: string }[] } }) => answer.body.items.map((item) => item.workerId);

    const byScreener = await list(service.token(['screener'], 'any-screener'), `&organisation=${b.organisationId}`);
    expect(ids(byScreener)).toContain(ofB.workerId);
    expect(ids(byScreener)).not.toContain(ofA.workerId);
    expect(ids(await list(service.token(['admin'], 'adm-dir'), `&organisation=${a.organisationId}`))).toContain(ofA.workerId);

    const orgAdminB = service.memberToken('b', 'orgAdmin');
    const own = await list(orgAdminB);
    expect(ids(own)).toContain(ofB.workerId);
    expect(ids(own)).not.toContain(ofA.workerId);
    expect(ids(await list(orgAdminB, `&organisation=${b.organisationId}`))).toEqual(ids(own));
    expect((await list(orgAdminB, `&organisation=${a.organisationId}`)).status).toBe(403);
    // A token role org-admin without that membership has nothing in scope; a coach may not name an organisation.
    expect(ids(await list(service.token(['org-admin'], 'nobody-here')))).toEqual([]);
    expect((await list(service.memberToken('a', 'coach'), `&organisation=${a.organisationId}`)).status).toBe(403);
  });

  describe('the rules the directory adds to trajectories', () => {
    test('unknown-coach: a registration naming, or by, a coach who is no coach member; an assignment to one; nothing written', async () => {
      const before = await snapshot();
      const named = await service.request('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(freshInsz()), coach: 'Jan' } });
      expect(named.status).toBe(409);
      expect(named.body.rule).toBe('unknown-coach');
      const byStranger = await service.request('POST', '/v1/workers', {
        token: service.token(['coach'], 'stranger'),
        body: { ...registration(freshInsz()), coach: undefined },
      });
      expect(byStranger.status).toBe(409);
      expect(byStranger.body.rule).toBe('unknown-coach');
      // A member who is no coach (a screener) is no coach either.
      const screenerAsCoach = await service.request('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(freshInsz()), coach: a.screener } });
      expect(screenerAsCoach.body.rule).toBe('unknown-coach');
      expect(await snapshot()).toEqual(before);

      const workerId = await aWorkerScreenedFor(service);
      const eventsBefore = await count('events');
      const assigned = await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { roles: ['screener'], body: { coach: 'nobody-known' } });
      expect(assigned.status).toBe(409);
      expect(assigned.body.rule).toBe('unknown-coach');
      expect(await count('events')).toBe(eventsBefore);
      expect((await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { roles: ['screener'], body: { coach: b.coach } })).status).toBe(201);
    });

    test('placements: unknown-enterprise, programme-not-recognised; the event stores the organisationId whatever spelling was sent', async () => {
      const workerId = await aWorkerScreenedFor(service, 'SW');
      const place = (enterpriseId: string) =>
        service.request('POST', `/v1/workers/${workerId}/placements`, {
          roles: ['coach'],
          body: { programme: 'SW', enterpriseId, startDate: '2010-02-01', fte: 1 },
        });
      const before = await count('events');
      expect((await place('ent-42')).body.rule).toBe('unknown-enterprise');
      expect((await place('0123.456.749')).body.rule).toBe('unknown-enterprise');
      expect((await place(b.organisationId)).body.rule).toBe('programme-not-recognised');
      expect((await place(b.enterpriseNumber)).body.rule).toBe('programme-not-recognised');
      expect(await count('events')).toBe(before);
      const placed = await place(`BE ${a.enterpriseNumber.replaceAll('.', '')}`);
      expect(placed.status).toBe(201);
      const worker = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
      expect(worker.body.placements[0]).toMatchObject({ enterpriseId: a.organisationId, organisation: { organisationId: a.organisationId, name: a.name } });
      expect(worker.body.organisation).toEqual({ organisationId: a.organisationId, name: a.name });
    });

    test('returns need a registered organisation recognised for the programme left', async () => {
      // Today inside the guarantee, so that its expiry job does not end it during the test.
      service.clock.set('2011-10-01T10:00:00Z');
      const workerId = await aWorkerScreenedFor(service, 'SW');
      await service.request('POST', `/v1/workers/${workerId}/placements`, {
        roles: ['coach'],
        body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 },
      });
      await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: '2011-06-30', reason: 'doorstroom-regular-work' } });
      const back = (enterpriseId: string) =>
        service.request('POST', `/v1/workers/${workerId}/returns`, { roles: ['coach'], body: { date: '2011-09-01', enterpriseId } });
      const before = await count('events');
      expect((await back('nowhere')).body.rule).toBe('unknown-enterprise');
      expect((await back(b.organisationId)).body.rule).toBe('programme-not-recognised');
      expect(await count('events')).toBe(before);
      const returned = await back(a.organisationId);
      expect([returned.status, returned.body.rule]).toEqual([201, undefined]);
      service.clock.set('2026-11-23T10:00:00Z');
    });
  });
});
