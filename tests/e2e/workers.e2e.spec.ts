import { freshInsz, registration, aRegisteredWorker, aWorkerAfterDoorstroom, aWorkerPlacedIn, aWorkerScreenedFor } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE } from '../support/directory.js';

describe.each(['pglite', 'postgres'] as const)('worker commands over HTTP (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    // API only: no background jobs writing to the same workers while these tests count versions.
    service = await startTestService({ store, mode: 'api' });
  });
  afterAll(async () => {
    await service.close();
  });

  const versionOf = async (workerId: string) => (await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] })).body.version as number;

  test('a whole trajectory: register, screen, POP, place, doorstroom, return, exit, follow-up', async () => {
    const insz = freshInsz();
    const registered = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(insz) });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ workerId: expect.any(String), version: 1, position: expect.stringMatching(/^\d+-\d+$/) });
    expect(registered.headers.get('etag')).toBe('"1"');
    const id = registered.body.workerId;

    const steps: [string, unknown, string[]][] = [
      [
        'screenings',
        {
          date: '2010-01-04',
          advice: 'supported-employment',
          programme: 'MAATWERK',
          indication: {
            conditional: true,
            validUntil: '2012-01-03',
            productivityLossPct: 40,
            supportPackage: { workFloorTraining: true, workFloorCoaching: 'medium', wagePremiumPct: 50, workplaceAdaptation: false },
          },
        },
        ['screener'],
      ],
      ['pops', { date: '2010-01-10', goals: ['punctuality', 'forklift licence'] }, ['coach']],
      ['placements', { programme: 'MAATWERK', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 0.5 }, ['coach']],
      ['pops', { date: '2010-08-01', goals: ['regular job in logistics'] }, ['coach']],
      ['exits', { date: '2011-03-31', reason: 'doorstroom-regular-work' }, ['coach']],
      ['returns', { date: '2011-09-01', enterpriseId: TEST_ENTERPRISE }, ['coach']],
      ['exits', { date: '2012-12-31', reason: 'resignation' }, ['coach']],
    ];
    for (const [path, body, roles] of steps) {
      const res = await service.request('POST', `/v1/workers/${id}/${path}`, { roles: roles as never, body });
      expect([path, res.status, res.body]).toEqual([path, 201, expect.objectContaining({ version: expect.any(Number), position: expect.any(String) })]);
    }
    const worker = await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] });
    expect(worker.status).toBe(200);
    expect(worker.body.insz).toBe(insz);
    expect(worker.body.pop).toEqual({ establishedOn: '2010-01-10', reviewedOn: '2010-08-01', goals: ['regular job in logistics'] });
    expect(worker.body.placements).toHaveLength(2);
    expect(worker.body.placements[1]).toMatchObject({
      programme: 'MAATWERK',
      fte: 0.5,
      underReturnGuarantee: true,
      exit: { date: '2012-12-31', reason: 'resignation', followUpReferenceDate: '2013-06-30' },
    });
    expect(worker.body.returnGuarantee).toMatchObject({ status: 'used', expiresOn: '2012-03-31' });
    expect(worker.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'WorkerRegistered',
      'ScreeningRecorded',
      'PopEstablished',
      'PlacementStarted',
      'PopReviewed',
      'WorkerExited',
      'ReturnGuaranteeGranted',
      'PlacementStarted',
      'WorkerExited',
    ]);
    expect(JSON.stringify(worker.body.timeline)).not.toContain('insz');
    expect(worker.headers.get('etag')).toBe(`"${worker.body.version}"`);

    const placementId = worker.body.placements[0].placementId;
    const manual = await service.request('POST', `/v1/workers/${id}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'ibo' } });
    expect(manual.status).toBe(201);
    // The same outcome again changes nothing; a contradiction is refused (docs/corrections-and-revisions.md).
    const again = await service.request('POST', `/v1/workers/${id}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'ibo' } });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(manual.body.version);
    const contradiction = await service.request('POST', `/v1/workers/${id}/follow-ups`, { roles: ['coach'], body: { placementId, outcome: 'employed' } });
    expect(contradiction.status).toBe(409);
    expect(contradiction.body.rule).toBe('follow-up-already-recorded');
    const after = await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] });
    expect(after.body.placements[0].followUp).toEqual({ outcome: 'ibo', source: 'manual', referenceDate: '2011-09-30', revisions: [] });
  });

  test('an INSZ registered twice: 409 naming the rule and the existing worker, nothing written', async () => {
    const insz = freshInsz();
    const first = await service.request('POST', '/v1/workers', { roles: ['coach'], body: registration(insz) });
    const formatted = `${insz.slice(0, 2)}.${insz.slice(2, 4)}.${insz.slice(4, 6)}-${insz.slice(6, 9)}.${insz.slice(9)}`;
    const second = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(formatted) });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(second.body).toMatchObject({ rule: 'worker-already-registered', workerId: first.body.workerId, status: 409 });
    expect(await versionOf(first.body.workerId)).toBe(1);
  });

  test.each([
    ['12345678901', 'insz'],
    ['8507300332', 'insz'],
    ['85073003329', 'insz'],
    ['85a73003328', 'insz'],
  ])('an invalid INSZ %s is a 400 naming the field', async (insz, field) => {
    const res = await service.request('POST', '/v1/workers', { roles: ['coach'], body: registration(insz) });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test.each([
    [{ ...registration(), educationLevel: 'phd' }, 'educationLevel'],
    [{ ...registration(), disability: 'yes' }, 'disability'],
    [{ ...registration(), unemployedSince: '2011-02-30' }, 'unemployedSince'],
    [{ ...registration(), insz: 85073003328 }, 'insz'],
    [{ ...registration(), extra: 1 }, 'extra'],
    // Long, but within a command's body limit (a body over it is 413 before it is read: bounded-requests).
    [{ ...registration(), insz: 'x'.repeat(10_000) }, 'insz'],
    [{ educationLevel: 'low' }, 'insz'],
  ])('malformed registration → 400 with field %#', async (body, field) => {
    const res = await service.request('POST', '/v1/workers', { roles: ['coach'], body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test('hostile bodies: bad JSON, arrays, prototype keys are refused with problem+json', async () => {
    const bad = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: '{"insz": ' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const array = await service.request('POST', '/v1/workers', { roles: ['coach'], body: [registration()] });
    expect(array.status).toBe(400);
    const proto = await service.request('POST', '/v1/workers', {
      roles: ['coach'],
      rawBody: JSON.stringify(registration()).replace('{', '{"__proto__":{"admin":true},'),
    });
    expect(proto.status).toBe(400);
    expect(proto.body.errors).toEqual([{ field: '__proto__', code: 'unknown-field', message: expect.any(String) }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const sqlish = await service.request('POST', `/v1/workers/${"1'; DROP TABLE events;--"}/exits`, {
      roles: ['coach'],
      body: { date: '2011-01-01', reason: 'other' },
    });
    expect(sqlish.status).toBe(404);
  });

  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'])(
    'a body key named %s is a 400 naming it, and nothing is written',
    async (key) => {
      const insz = freshInsz();
      const res = await service.request('POST', '/v1/workers', {
        roles: ['coach'],
        rawBody: JSON.stringify(registration(insz)).replace('{', `{"${key}":"x",`),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(key);
      expect((await service.request('POST', '/v1/workers', { roles: ['coach'], body: registration(insz) })).status).toBe(201);
    },
  );

  test('prototype-named keys are refused in nested objects and in the declaration import too', async () => {
    const id = await aRegisteredWorker(service);
    const supportPackage = '{"hasOwnProperty":1,"workFloorTraining":true,"workFloorCoaching":null,"wagePremiumPct":50,"workplaceAdaptation":false}';
    const screening = await service.request('POST', `/v1/workers/${id}/screenings`, {
      roles: ['screener'],
      rawBody: `{"date":"2010-01-04","advice":"supported-employment","programme":"MAATWERK","indication":{"toString":"x","conditional":false,"supportPackage":${supportPackage}}}`,
    });
    expect(screening.status).toBe(400);
    expect(screening.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['indication.toString', 'indication.supportPackage.hasOwnProperty']),
    );
    expect(await versionOf(id)).toBe(1);
    const declaration = { insz: freshInsz(), employerId: 'emp-1', kind: 'employment', startDate: '2011-01-01', endDate: null };
    const imported = await service.request('POST', '/v1/employment-declarations', {
      roles: ['admin'],
      rawBody: `[${JSON.stringify(declaration).replace('{', '{"valueOf":0,')}]`,
    });
    expect(imported.status).toBe(400);
    expect(imported.body.errors.map((e: { field: string }) => e.field)).toContain('[0].valueOf');
    const statistics = await service.request('GET', '/v1/statistics/flows?year=2011&toString=1', { roles: ['analyst'] });
    expect(statistics.status).toBe(400);
    expect(statistics.body.errors.map((e: { field: string }) => e.field)).toContain('toString');
  });

  test.each([
    ['application/x-www-form-urlencoded', (insz: string) => new URLSearchParams(registration(insz) as never).toString()],
    ['text/plain', (insz: string) => JSON.stringify(registration(insz))],
    ['multipart/form-data; boundary=x', (insz: string) => `--x\r\ncontent-disposition: form-data; name="insz"\r\n\r\n${insz}\r\n--x--\r\n`],
  ])('a %s body is a 415 problem, and nothing is written', async (contentType, encode) => {
    const insz = freshInsz();
    const res = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: encode(insz), headers: { 'content-type': contentType } });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: '/problems/unsupported-media-type',
      title: 'Unsupported media type',
      status: 415,
      detail: expect.stringContaining('application/json'),
    });
    expect((await service.request('POST', '/v1/workers', { roles: ['coach'], body: registration(insz) })).status).toBe(201);
    const id = await aRegisteredWorker(service);
    const pop = await service.request('POST', `/v1/workers/${id}/pops`, {
      roles: ['coach'],
      rawBody: 'date=2010-01-10&goals=a',
      headers: { 'content-type': contentType },
    });
    expect(pop.status).toBe(415);
    expect(await versionOf(id)).toBe(1);
  });

  test('JSON with a charset is still JSON', async () => {
    const res = await service.request('POST', '/v1/workers', {
      roles: ['coach'],
      rawBody: JSON.stringify(registration()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
  });

  test.each([101, 2000])('a worker id of %i characters is the 404 problem of an unknown worker', async (length) => {
    const unknown = await service.request('GET', '/v1/workers/00000000-0000-4000-8000-000000000000', { roles: ['coach'] });
    for (const res of [
      await service.request('GET', `/v1/workers/${'a'.repeat(length)}`, { roles: ['coach'] }),
      await service.request('POST', `/v1/workers/${'a'.repeat(length)}/exits`, { roles: ['coach'], body: { date: '2011-01-01', reason: 'other' } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: unknown.body.type, title: unknown.body.title, status: 404 });
    }
  });

  test('errors Fastify answers before any route (URI too long, bad URL, body too large, bad JSON) are problem+json', async () => {
    const tooLong = await service.request('GET', `/v1/workers/${'a'.repeat(5000)}`, { roles: ['coach'] });
    const badUrl = await service.request('GET', '/v1/workers/%E0%A4%A', { roles: ['coach'] });
    const tooLarge = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: JSON.stringify({ insz: 'x'.repeat(9 * 1024 * 1024) }) });
    const badJson = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: '{"insz":' });
    const empty = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: '' });
    for (const [res, status] of [
      [tooLong, 414],
      [badUrl, 400],
      [tooLarge, 413],
      [badJson, 400],
      [empty, 400],
    ] as const) {
      expect([res.status, res.headers.get('content-type')]).toEqual([status, expect.stringContaining('application/problem+json')]);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/^\/problems\//), title: expect.any(String), status, detail: expect.any(String) });
    }
  });

  test('authentication and roles: 401 without or with a bad token, 403 for a role not allowed', async () => {
    const none = await service.request('POST', '/v1/workers', { body: registration() });
    expect(none.status).toBe(401);
    expect(none.body.type).toBeDefined();
    const forged = await service.request('POST', '/v1/workers', { token: service.token(['coach']).slice(0, -3) + 'abc', body: registration() });
    expect(forged.status).toBe(401);
    const analyst = await service.request('POST', '/v1/workers', { roles: ['analyst'], body: registration() });
    expect(analyst.status).toBe(403);
    const workerId = await aRegisteredWorker(service);
    expect((await service.request('GET', `/v1/workers/${workerId}`, { roles: ['analyst'] })).status).toBe(403);
    expect(
      (await service.request('POST', `/v1/workers/${workerId}/screenings`, { roles: ['coach'], body: { date: '2010-01-01', advice: 'regular-work' } })).status,
    ).toBe(403);
    expect(
      (
        await service.request('POST', `/v1/workers/${workerId}/placements`, {
          roles: ['screener'],
          body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-01-01', fte: 1 },
        })
      ).status,
    ).toBe(403);
  });

  test('an unknown or malformed worker id is 404', async () => {
    expect((await service.request('GET', '/v1/workers/00000000-0000-4000-8000-000000000000', { roles: ['coach'] })).status).toBe(404);
    expect((await service.request('GET', '/v1/workers/not-a-uuid', { roles: ['coach'] })).status).toBe(404);
    const exit = await service.request('POST', '/v1/workers/00000000-0000-4000-8000-000000000000/exits', {
      roles: ['coach'],
      body: { date: '2011-01-01', reason: 'other' },
    });
    expect(exit.status).toBe(404);
  });

  test.each([
    [
      'placement without an advice leading there',
      async (s: TestService) => ({
        id: await aWorkerScreenedFor(s, 'SW'),
        path: 'placements',
        body: { programme: 'LDE', enterpriseId: TEST_ENTERPRISE, startDate: '2010-03-01', fte: 1 },
      }),
      'placement-needs-advice',
    ],
    [
      'second active placement',
      async (s: TestService) => ({
        id: (await aWorkerPlacedIn(s)).workerId,
        path: 'placements',
        body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-03-01', fte: 1 },
      }),
      'placement-already-active',
    ],
    [
      'exit without placement',
      async (s: TestService) => ({ id: await aWorkerScreenedFor(s), path: 'exits', body: { date: '2011-01-01', reason: 'other' } }),
      'exit-needs-active-placement',
    ],
    [
      'date before the previous step',
      async (s: TestService) => ({ id: (await aWorkerPlacedIn(s, 'SW', '2010-02-01')).workerId, path: 'exits', body: { date: '2010-01-31', reason: 'other' } }),
      'date-before-previous-step',
    ],
    [
      'date in the future',
      async (s: TestService) => ({ id: (await aWorkerPlacedIn(s)).workerId, path: 'exits', body: { date: '2030-01-01', reason: 'other' } }),
      'date-in-future',
    ],
    [
      'return without guarantee',
      async (s: TestService) => ({ id: await aWorkerScreenedFor(s), path: 'returns', body: { date: '2011-01-01', enterpriseId: TEST_ENTERPRISE } }),
      'return-needs-guarantee',
    ],
    [
      'return after the guarantee ran out',
      async (s: TestService) => ({
        id: (await aWorkerAfterDoorstroom(s, '2011-06-30')).workerId,
        path: 'returns',
        body: { date: '2012-07-01', enterpriseId: TEST_ENTERPRISE },
      }),
      'return-guarantee-expired',
    ],
    [
      'programme missing for supported employment',
      async (s: TestService) => ({ id: await aRegisteredWorker(s), path: 'screenings', body: { date: '2010-01-01', advice: 'supported-employment' } }),
      'programme-required',
    ],
    [
      'programme with regular-work advice',
      async (s: TestService) => ({ id: await aRegisteredWorker(s), path: 'screenings', body: { date: '2010-01-01', advice: 'regular-work', programme: 'SW' } }),
      'programme-not-allowed',
    ],
    [
      'follow-up for an exit that does not exist',
      async (s: TestService) => ({
        id: (await aWorkerPlacedIn(s)).workerId,
        path: 'follow-ups',
        body: { placementId: '00000000-0000-4000-8000-000000000000', outcome: 'employed' },
      }),
      'follow-up-needs-exit',
    ],
  ])('a broken rule (%s) is a 409 naming it, and nothing is written', async (_, arrange, rule) => {
    const { id, path, body } = await arrange(service);
    const before = await versionOf(id);
    const roles = path === 'screenings' ? ['screener'] : ['coach'];
    const res = await service.request('POST', `/v1/workers/${id}/${path}`, { roles: roles as never, body });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, rule });
    expect(await versionOf(id)).toBe(before);
  });

  test('If-Match: the current version succeeds, a stale one is 412 and writes nothing', async () => {
    const id = await aWorkerScreenedFor(service);
    const placement = { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 };
    const stale = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body: placement, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"2"');
    expect(await versionOf(id)).toBe(2);
    const fresh = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body: placement, headers: { 'if-match': '"2"' } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.version).toBe(3);
    const garbage = await service.request('POST', `/v1/workers/${id}/exits`, {
      roles: ['coach'],
      body: { date: '2011-01-01', reason: 'other' },
      headers: { 'if-match': 'abc' },
    });
    expect(garbage.status).toBe(400);
  });

  test('Idempotency-Key: a repeat returns the first answer and appends nothing; another body is 422; keys survive a restart', async () => {
    const id = await aWorkerScreenedFor(service);
    const body = { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 };
    const headers = { 'idempotency-key': `key-${id}` };
    const first = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect(first.status).toBe(201);
    const repeat = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(await versionOf(id)).toBe(first.body.version);
    // The same worker id in capitals names the same worker: the same request, replayed.
    const capitals = await service.request('POST', `/v1/workers/${id.toUpperCase()}/placements`, { roles: ['coach'], body, headers });
    expect(capitals.status).toBe(201);
    expect(capitals.body).toEqual(first.body);
    const other = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body: { ...body, fte: 0.5 }, headers });
    expect(other.status).toBe(422);
    await service.restart();
    const afterRestart = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect(afterRestart.status).toBe(201);
    expect(afterRestart.body).toEqual(first.body);
    expect(await versionOf(id)).toBe(first.body.version);
  });

  test('concurrent commands on one worker never lose an update', async () => {
    const id = await aWorkerScreenedFor(service);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        service.request('POST', `/v1/workers/${id}/pops`, { roles: ['coach'], body: { date: '2010-02-01', goals: [`goal ${i}`] } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    const worker = await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] });
    expect(worker.body.version).toBe(2 + 6);
    expect(new Set(results.map((r) => r.body.version)).size).toBe(6);
  });
});
