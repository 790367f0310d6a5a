import SwaggerParser from '@apidevtools/swagger-parser';
import { aRegisteredWorker, aWorkerScreenedFor, registration } from '../fixtures/workers.js';
import { conformanceOf, OpenApiConformance, type Answer } from '../support/openapi-conformance.js';
import { startTestService, type TestService } from '../support/service.js';

type Json = Record<string, any>;

/** api.md: who may call what. */
const ROLES_OF: Record<string, string[]> = {
  'POST /v1/workers': ['screener', 'coach'],
  'POST /v1/workers/{id}/screenings': ['screener'],
  'POST /v1/workers/{id}/pops': ['coach'],
  'POST /v1/workers/{id}/notes': ['coach', 'org-admin', 'screener'],
  'POST /v1/workers/{id}/placements': ['coach'],
  'POST /v1/workers/{id}/exits': ['coach'],
  'POST /v1/workers/{id}/returns': ['coach'],
  'POST /v1/workers/{id}/follow-ups': ['coach'],
  'POST /v1/workers/{id}/retractions': ['screener', 'coach'],
  'POST /v1/workers/{id}/coach-assignments': ['screener', 'admin', 'coach'],
  'DELETE /v1/workers/{id}/personal-data': ['admin'],
  'GET /v1/workers': ['coach', 'screener', 'admin'],
  'GET /v1/return-guarantees': ['admin', 'coach'],
  'GET /v1/audit': ['admin'],
  'POST /v1/employment-declarations': ['admin'],
  'GET /v1/workers/{id}': ['screener', 'coach'],
  'GET /v1/statistics/flows': ['analyst'],
  'GET /v1/statistics/outflow': ['analyst'],
  'GET /v1/follow-ups': ['admin', 'coach'],
  'POST /v1/statistics/publications': ['analyst'],
  'GET /v1/statistics/publications': ['analyst'],
  'GET /v1/statistics/publications/{id}': ['analyst'],
  'GET /health': [],
  'GET /problems/{slug}': [],
  'GET /problems/rule/{rule}': [],
  'GET /login': [],
  'GET /login/options': [],
  'GET /login/oidc': [],
  'GET /login/oidc/callback': [],
  'GET /session': ['screener', 'coach', 'analyst', 'admin', 'org-admin'],
  'POST /logout': ['screener', 'coach', 'analyst', 'admin', 'org-admin'],
};

const WORKER_COMMANDS = Object.keys(ROLES_OF).filter((op) => op.startsWith('POST /v1/workers/{id}/'));

function operations(document: Json): [string, Json][] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation as Json] as [string, Json]),
  );
}

/** Follows a local `$ref` (or an allOf of them) to the schema it names. */
function resolve(document: Json, schema: Json): Json {
  if (schema.$ref) return resolve(document, document.components.schemas[(schema.$ref as string).split('/').pop()!]);
  if (schema.allOf) return resolve(document, schema.allOf[0]);
  return schema;
}

describe('the OpenAPI description (/docs-json)', () => {
  let service: TestService;
  let document: Json;

  beforeAll(async () => {
    service = await startTestService({ mode: 'api' });
    document = (await service.request('GET', '/docs-json')).body;
  });
  afterAll(async () => {
    await service.close();
  });

  test('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  test('documents every operation of api.md, with its roles in x-roles and in its description', () => {
    const documented = Object.fromEntries(operations(document));
    expect(Object.keys(documented).sort()).toEqual(Object.keys(ROLES_OF).sort());
    for (const [op, roles] of Object.entries(ROLES_OF)) {
      const operation = documented[op];
      expect([op, operation['x-roles']]).toEqual([op, roles]);
      expect([op, operation.description]).toEqual([op, expect.stringContaining(roles.length ? `**Roles**: ${roles.join(', ')}.` : '**Public**')]);
      const statuses = Object.keys(operation.responses);
      expect([op, statuses]).toEqual([op, expect.arrayContaining(['400', '414', '431'])]);
      // 403: too few roles, or (any unsafe method under a browser session) no CSRF token.
      const refusable = roles.length < 4 || !op.startsWith('GET ');
      if (roles.length)
        expect([op, statuses, operation.security]).toEqual([
          op,
          expect.arrayContaining(refusable ? ['401', '403'] : ['401']),
          [{ bearer: [] }, { session: [] }],
        ]);
      else expect([op, statuses.includes('401'), operation.security]).toEqual([op, false, []]);
      if (operation.requestBody) expect([op, statuses]).toEqual([op, expect.arrayContaining(['413', '415', '409', '422'])]);
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        // /health answers its 503 with the same JSON as its 200; every other error is a problem.
        if (Number(status) >= 400 && op !== 'GET /health')
          expect([op, status, Object.keys(response.content)]).toEqual([op, status, ['application/problem+json']]);
      }
    }
  });

  test('commands document their headers: If-Match and Idempotency-Key in, ETag and Location out; 409 names the rule, 412 the version', () => {
    const documented = Object.fromEntries(operations(document));
    for (const op of [...WORKER_COMMANDS, 'POST /v1/workers']) {
      const operation = documented[op];
      const headers = (operation.parameters as Json[]).filter((p) => p.in === 'header').map((p) => p.name);
      expect([op, headers]).toEqual([op, op === 'POST /v1/workers' ? ['X-CSRF-Token', 'Idempotency-Key'] : ['If-Match', 'X-CSRF-Token', 'Idempotency-Key']]);
      expect([op, operation.responses['201'].headers.ETag.required, operation.responses['201'].headers.Location.required]).toEqual([op, true, true]);
      expect(resolve(document, operation.responses['409'].content['application/problem+json'].schema).required).toContain('rule');
      if (op !== 'POST /v1/workers') {
        // The current version comes with a version mismatch; a weak tag's 412 has none to give.
        expect(operation.responses['412'].headers.ETag).toBeDefined();
        expect(operation.responses['404']).toBeDefined();
      }
    }
    const rule = document.components.schemas.RuleProblem.properties.rule.enum as string[];
    expect(rule).toEqual(expect.arrayContaining(['worker-already-registered', 'date-in-future', 'concurrent-modification', 'idempotency-key-in-use']));
    expect(resolve(document, documented['POST /v1/workers'].responses['400'].content['application/problem+json'].schema).required).toContain('errors');
  });

  test('documents limits and nullable types of the bodies', () => {
    const schemas = document.components.schemas;
    const declarations = documented(document, 'POST /v1/employment-declarations').requestBody.content['application/json'].schema;
    expect(declarations).toMatchObject({ type: 'array', minItems: 1, maxItems: 10_000 });
    expect(schemas.EmploymentDeclarationDto.properties.endDate).toMatchObject({ type: 'string', format: 'date', nullable: true });
    expect(schemas.IndicationDto.properties.validUntil).toMatchObject({ type: 'string', format: 'date', nullable: true });
    expect(schemas.IndicationDto.properties.productivityLossPct).toMatchObject({ type: 'number', minimum: 0, maximum: 100, nullable: true });
    expect(schemas.SupportPackageDto.properties.wagePremiumPct).toMatchObject({ type: 'number', minimum: 0, maximum: 100, nullable: true });
    expect(schemas.RegisterWorkerDto.properties.insz).toMatchObject({ pattern: expect.any(String), maxLength: 20 });
    expect(schemas.RecordPopDto.properties.goals).toMatchObject({ minItems: 1, maxItems: 50, items: { maxLength: 500 } });
    expect(schemas.StartPlacementDto.properties.enterpriseId).toMatchObject({ minLength: 1, maxLength: 100 });
    const year = (documented(document, 'GET /v1/statistics/flows').parameters as Json[]).find((p) => p.name === 'year')!;
    expect(year.schema).toMatchObject({ type: 'integer', minimum: 1900, maximum: 2200 });
    // Nothing is left typed as a bare `object`, as a union type reflected by Nest used to be.
    const bare: string[] = [];
    for (const [name, schema] of Object.entries(schemas as Json)) {
      for (const [property, sub] of Object.entries((schema.properties ?? {}) as Json)) {
        if (sub.type === 'object' && !sub.properties && !sub.allOf && sub.additionalProperties === undefined) bare.push(`${name}.${property}`);
      }
    }
    expect(bare).toEqual([]);
  });

  test('statistics answer JSON, CSV or XLSX, and 503 with Retry-After', () => {
    for (const op of ['GET /v1/statistics/flows', 'GET /v1/statistics/outflow']) {
      const responses = documented(document, op).responses;
      expect(Object.keys(responses['200'].content)).toEqual([
        'application/json',
        'text/csv',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ]);
      expect(responses['503'].headers['Retry-After'].required).toBe(true);
    }
  });

  test('every problem type resolves to a page on the service, without a token', async () => {
    const types = document.components.schemas.ProblemType.enum as string[];
    expect(types).toEqual(
      expect.arrayContaining([
        '/problems/invalid-input',
        '/problems/stale-version',
        '/problems/rule/date-in-future',
        '/problems/rule/concurrent-modification',
        '/problems/unsupported-media-type',
      ]),
    );
    for (const type of types) {
      const page = await service.request('GET', type);
      expect([type, page.status, page.headers.get('content-type')]).toEqual([type, 200, expect.stringContaining('text/html')]);
      expect(page.body).toContain(type);
    }
    expect((await service.request('GET', '/problems/no-such-thing')).status).toBe(404);
  });

  test('201 answers carry Location: the new worker, or the worker of the command, also when replayed', async () => {
    const registered = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration() });
    expect(registered.headers.get('location')).toBe(`/v1/workers/${registered.body.workerId}`);
    const id = await aWorkerScreenedFor(service);
    const body = { programme: 'SW', enterpriseId: 'e', startDate: '2010-02-01', fte: 1 };
    const headers = { 'idempotency-key': `loc-${id}` };
    const placed = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect(placed.headers.get('location')).toBe(`/v1/workers/${id}`);
    const replayed = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.headers.get('location')]).toEqual([201, 'true', `/v1/workers/${id}`]);
    // The worker's URL is the canonical (lower-case) one, whatever case the request used.
    const pop = await service.request('POST', `/v1/workers/${id.toUpperCase()}/pops`, { roles: ['coach'], body: { date: '2010-03-01', goals: ['x'] } });
    expect([pop.status, pop.headers.get('location')]).toEqual([201, `/v1/workers/${id}`]);
  });

  describe('the conformance check that every request() of the e2e suites goes through', () => {
    let checker: OpenApiConformance;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
      status,
      body,
      headers: new Headers({
        'content-type': typeof body === 'string' ? 'text/plain' : status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
        ...headers,
      }),
    });
    const id = '6f1c1d4e-8a3b-4c2d-9e0f-1a2b3c4d5e6f';
    const created = { version: 2, position: '12-0' };
    const createdHeaders = { etag: '"2"', location: `/v1/workers/${id}` };

    beforeAll(() => {
      checker = new OpenApiConformance(document);
    });

    test('passes a documented answer', () => {
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, answer(201, created, createdHeaders))).toEqual([]);
      expect(
        checker.violations(
          'GET',
          `/v1/workers/${id}?x=1`,
          answer(404, { type: '/problems/worker-not-found', title: 'Unknown worker', status: 404, detail: 'no worker' }),
        ),
      ).toEqual([]);
    });

    test('fails a status the operation does not document', () => {
      expect(checker.violations('GET', `/v1/workers/${id}`, answer(418, { type: '/problems/internal-error', title: 't', status: 418, detail: 'd' }))).toEqual([
        expect.stringContaining('status 418 is not documented'),
      ]);
      expect(
        checker.violations(
          'GET',
          '/v1/statistics/flows?year=2011',
          answer(500, { type: '/problems/internal-error', title: 'Internal server error', status: 500, detail: 'd' }),
        ),
      ).toEqual([expect.stringContaining('status 500 is not documented')]);
      expect(() => checker.assert('GET', '/health', answer(201, {}))).toThrow(/does not conform/);
    });

    test('fails a missing required header, or a header that does not match', () => {
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, answer(201, created, { etag: '"2"' }))).toEqual([
        expect.stringContaining('required header Location is missing'),
      ]);
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, answer(201, created, { ...createdHeaders, etag: 'W/"2"' }))).toEqual([
        expect.stringContaining('header ETag'),
      ]);
      expect(
        checker.violations(
          'GET',
          '/v1/statistics/flows',
          answer(503, { type: '/problems/not-yet-processed', title: 'Not yet processed', status: 503, detail: 'd' }),
        ),
      ).toEqual([expect.stringContaining('Retry-After is missing')]);
    });

    test('fails a body that does not match its schema, a problem status unlike the answer’s, an unknown problem type', () => {
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, answer(201, { version: 2 }, createdHeaders))).toEqual([
        expect.stringContaining("must have required property 'position'"),
      ]);
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, answer(201, { ...created, extra: 1 }, createdHeaders))).toEqual([
        expect.stringContaining('must NOT have additional properties'),
      ]);
      expect(
        checker.violations('POST', '/v1/workers', answer(400, { type: '/problems/invalid-input', title: 'Invalid input', status: 400, detail: 'd' })),
      ).toEqual([expect.stringContaining("required property 'errors'")]);
      expect(
        checker.violations(
          'POST',
          '/v1/workers',
          answer(409, { type: '/problems/rule/date-in-future', title: 't', status: 409, detail: 'd', rule: 'no-such-rule' }),
        ),
      ).toEqual([expect.stringContaining('allowed values')]);
      expect(checker.violations('GET', `/v1/workers/${id}`, answer(404, { type: '/problems/worker-not-found', title: 't', status: 400, detail: 'd' }))).toEqual(
        [expect.stringContaining('allowed values')],
      );
      expect(checker.violations('GET', `/v1/workers/${id}`, answer(404, { type: '/problems/made-up', title: 't', status: 404, detail: 'd' }))).toEqual([
        expect.stringContaining('allowed values'),
      ]);
    });

    test('fails a content type the response does not document', () => {
      expect(
        checker.violations(
          'GET',
          `/v1/workers/${id}`,
          answer(404, { type: '/problems/worker-not-found', title: 't', status: 404, detail: 'd' }, { 'content-type': 'application/json' }),
        ),
      ).toEqual([expect.stringContaining('content type application/json is not documented')]);
      expect(checker.violations('GET', '/v1/statistics/flows', answer(200, 'programme\r\n', { 'content-type': 'text/plain' }))).toEqual([
        expect.stringContaining('content type text/plain'),
      ]);
    });

    test('fails a request the service accepted but the document refuses (a documented limit stricter than the service)', () => {
      const ok = answer(201, created, createdHeaders);
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, ok, { body: { date: '2010-01-01', goals: ['a'] }, headers: { 'If-Match': '"1"' } })).toEqual(
        [],
      );
      expect(checker.violations('POST', `/v1/workers/${id.toUpperCase()}/pops`, ok, { body: { date: '2010-01-01', goals: ['a'] } })).toEqual([]);
      expect(checker.violations('POST', `/v1/workers/${id}/pops`, ok, { body: { date: '2010-01-01', goals: [] } })).toEqual([
        expect.stringContaining('accepted a body that the document refuses: body/goals must NOT have fewer than 1 items'),
      ]);
      expect(
        checker.violations('POST', `/v1/workers/${id}/pops`, ok, {
          body: { date: '2010-01-01', goals: ['a'] },
          headers: { 'if-match': `"${'1'.repeat(1100)}"` },
        }),
      ).toEqual([expect.stringContaining('accepted the header parameter If-Match')]);
      const table = answer(200, {
        year: 2011,
        rows: [{ programme: 'TOTAL', stockStart: 0, inflow: 0, outflow: 0, stockEnd: 0, growth: 0, growthPct: null, rotationPct: null, fteEnd: 0 }],
      });
      expect(checker.violations('GET', '/v1/statistics/flows?year=2011', table, {})).toEqual([]);
      expect(checker.violations('GET', '/v1/statistics/flows?year=1800', table, {})).toEqual([expect.stringContaining('accepted the query parameter year')]);
      // A refused request is the service's business: only accepted ones are held to the document.
      expect(
        checker.violations(
          'POST',
          '/v1/workers',
          answer(400, {
            type: '/problems/invalid-input',
            title: 'Invalid input',
            status: 400,
            detail: 'd',
            errors: [{ field: 'insz', code: 'insz-check-digits', message: 'm' }],
          }),
          { body: { insz: 1 } },
        ),
      ).toEqual([]);
    });

    test('an undocumented path must be a 404 problem, an undocumented method a 405 problem with Allow', () => {
      const notFound = { type: '/problems/not-found', title: 'Not found', status: 404, detail: 'd' };
      expect(checker.violations('GET', '/v2/anything', answer(404, notFound))).toEqual([]);
      expect(checker.violations('GET', '/v2/anything', answer(200, {}))).toEqual([expect.stringContaining('expected 404, got 200')]);
      const notAllowed = { type: '/problems/method-not-allowed', title: 'Method not allowed', status: 405, detail: 'd' };
      expect(checker.violations('DELETE', `/v1/workers/${id}`, answer(405, notAllowed, { allow: 'GET, HEAD' }))).toEqual([]);
      expect(checker.violations('DELETE', `/v1/workers/${id}`, answer(405, notAllowed))).toEqual([expect.stringContaining('Allow')]);
      expect(checker.violations('DELETE', `/v1/workers/${id}`, answer(404, notFound))).toEqual([expect.stringContaining('expected 405, got 404')]);
    });

    test('request() of the test service applies it: an answer whose status the document lacks fails the test', async () => {
      const shared = await conformanceOf(service.url);
      const responses = shared.document.paths['/problems/{slug}'].get.responses;
      const documented200 = responses['200'];
      delete responses['200'];
      try {
        await expect(service.request('GET', '/problems/stale-version')).rejects.toThrow(
          /does not conform to \/docs-json:\n- GET \/problems\/\{slug\} → 200: status 200 is not documented/,
        );
      } finally {
        responses['200'] = documented200;
      }
      expect((await service.request('GET', '/problems/stale-version')).status).toBe(200);
    });

    test('a real answer the service gives passes; the same answer altered fails', async () => {
      const workerId = await aRegisteredWorker(service);
      const res = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
      expect(checker.violations('GET', `/v1/workers/${workerId}`, res)).toEqual([]);
      expect(checker.violations('GET', `/v1/workers/${workerId}`, { ...res, body: { ...res.body, insz: 123 } })).not.toEqual([]);
      expect(checker.violations('GET', `/v1/workers/${workerId}`, { ...res, body: { ...res.body, surprise: true } })).not.toEqual([]);
    });
  });
});

function documented(document: Json, op: string): Json {
  const [method, path] = op.split(' ');
  return document.paths[path][method.toLowerCase()];
}
