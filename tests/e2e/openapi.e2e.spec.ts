import SwaggerParser from '@apidevtools/swagger-parser';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { aRegisteredWorker, aWorkerScreenedFor, freshInsz, registration } from '../fixtures/workers.js';
import { conformanceOf, OpenApiConformance, pointer, type Answer } from '../support/openapi-conformance.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE } from '../support/directory.js';

type Json = Record<string, any>;

/** api.md: who may call what. */
const ROLES_OF: Record<string, string[]> = {
  'POST /v1/workers': ['screener', 'coach'],
  'POST /v1/workers/{id}/screenings': ['screener'],
  'POST /v1/workers/{id}/pops': ['coach', 'org-admin'],
  'POST /v1/workers/{id}/notes': ['coach', 'org-admin', 'screener'],
  'POST /v1/workers/{id}/placements': ['coach', 'org-admin'],
  'POST /v1/workers/{id}/exits': ['coach', 'org-admin'],
  'POST /v1/workers/{id}/returns': ['coach', 'org-admin'],
  'POST /v1/workers/{id}/follow-ups': ['coach', 'org-admin'],
  'POST /v1/workers/{id}/retractions': ['screener', 'coach', 'org-admin'],
  'POST /v1/workers/{id}/coach-assignments': ['screener', 'admin', 'coach', 'org-admin'],
  'DELETE /v1/workers/{id}/personal-data': ['admin'],
  'GET /v1/workers': ['coach', 'screener', 'admin', 'org-admin'],
  'GET /v1/return-guarantees': ['admin', 'coach', 'org-admin'],
  'GET /v1/audit': ['admin'],
  'GET /v1/audit/verification': ['admin'],
  'POST /v1/imports': ['admin'],
  'GET /v1/imports/{id}': ['admin'],
  'GET /v1/imports/{id}/errors': ['admin'],
  'POST /v1/employment-declarations': ['admin'],
  'GET /v1/workers/{id}': ['screener', 'coach', 'org-admin'],
  'GET /v1/statistics/flows': ['analyst', 'org-admin'],
  'GET /v1/statistics/outflow': ['analyst', 'org-admin'],
  'GET /v1/follow-ups': ['admin', 'coach', 'org-admin'],
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
  'GET /session': [],
  'POST /logout': [],
  'POST /v1/organisations': ['admin'],
  'GET /v1/organisations': ['screener', 'coach', 'analyst', 'admin', 'org-admin'],
  'GET /v1/organisations/{organisationId}': ['screener', 'coach', 'analyst', 'admin', 'org-admin'],
  'PATCH /v1/organisations/{organisationId}': ['admin'],
  'PUT /v1/organisations/{organisationId}/members/{sub}': ['admin', 'org-admin'],
  'DELETE /v1/organisations/{organisationId}/members/{sub}': ['admin', 'org-admin'],
  'GET /v1/organisations/{organisationId}/members': ['admin', 'screener', 'org-admin', 'coach'],
};

/** Operations that check no role: any authenticated caller may use them (x-roles is empty, as for public ones). */
const ANY_AUTHENTICATED = ['GET /session', 'POST /logout'];

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

  test('is a valid OpenAPI 3.1 document, whose every schema compiles as JSON Schema 2020-12', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    // Ajv's 2020-12 validator in its default strict mode: a keyword of OpenAPI 3.0 (`nullable`, a boolean
    // `exclusiveMinimum`) or any unknown keyword fails the compilation.
    const checker = new OpenApiConformance(document);
    const places: string[] = Object.keys(document.components.schemas).map((name) => pointer('components', 'schemas', name));
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        ((operation.parameters ?? []) as Json[]).forEach((_, i) => places.push(pointer('paths', path, method, 'parameters', i, 'schema')));
        for (const media of Object.keys(operation.requestBody?.content ?? {}))
          places.push(pointer('paths', path, method, 'requestBody', 'content', media, 'schema'));
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          for (const media of Object.keys(response.content ?? {})) places.push(pointer('paths', path, method, 'responses', status, 'content', media, 'schema'));
          for (const header of Object.keys(response.headers ?? {}))
            places.push(pointer('paths', path, method, 'responses', status, 'headers', header, 'schema'));
        }
      }
    }
    const failed = places.flatMap((place) => {
      try {
        checker.schemaAt(place);
        return [];
      } catch (error) {
        return [`${decodeURIComponent(place)}: ${(error as Error).message}`];
      }
    });
    expect(failed).toEqual([]);
    expect(places.length).toBeGreaterThan(100);
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  test('documents every operation of api.md, with its roles in x-roles and in its description', () => {
    const documented = Object.fromEntries(operations(document));
    expect(Object.keys(documented).sort()).toEqual(Object.keys(ROLES_OF).sort());
    for (const [op, roles] of Object.entries(ROLES_OF)) {
      const operation = documented[op];
      expect([op, operation['x-roles']]).toEqual([op, roles]);
      const access = roles.length ? `**Roles**: ${roles.join(', ')}.` : ANY_AUTHENTICATED.includes(op) ? '**Any authenticated caller**' : '**Public**';
      expect([op, operation.description]).toEqual([op, expect.stringContaining(access)]);
      const statuses = Object.keys(operation.responses);
      expect([op, statuses]).toEqual([op, expect.arrayContaining(['400', '414', '431'])]);
      // 403: too few roles (a route every role may use refuses none), or (any unsafe method under a browser session) no CSRF token.
      const refusable = (roles.length > 0 && roles.length < 5) || !op.startsWith('GET ');
      if (roles.length || ANY_AUTHENTICATED.includes(op))
        expect([op, statuses, operation.security]).toEqual([
          op,
          expect.arrayContaining(refusable ? ['401', '403'] : ['401']),
          [{ bearer: [] }, { session: [] }],
        ]);
      else expect([op, statuses.includes('401'), operation.security]).toEqual([op, false, []]);
      // Idempotency-Key (409 in use, 422 reused) is for POSTs; PUT and PATCH are idempotent by themselves.
      if (operation.requestBody)
        expect([op, statuses]).toEqual([op, expect.arrayContaining(op.startsWith('POST ') ? ['413', '415', '409', '422'] : ['413', '415'])]);
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
    expect(schemas.EmploymentDeclarationDto.properties.endDate).toMatchObject({ type: ['string', 'null'], format: 'date' });
    expect(schemas.IndicationDto.properties.validUntil).toMatchObject({ type: ['string', 'null'], format: 'date' });
    expect(schemas.IndicationDto.properties.productivityLossPct).toMatchObject({ type: ['number', 'null'], minimum: 0, maximum: 100, multipleOf: 0.01 });
    expect(schemas.SupportPackageDto.properties.wagePremiumPct).toMatchObject({ type: ['number', 'null'], minimum: 0, maximum: 100, multipleOf: 0.01 });
    expect(schemas.Worker.properties.latestScreening.properties.indication).toEqual({ anyOf: [{ $ref: '#/components/schemas/Indication' }, { type: 'null' }] });
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
    const body = { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 };
    const headers = { 'idempotency-key': `loc-${id}` };
    const placed = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect(placed.headers.get('location')).toBe(`/v1/workers/${id}`);
    const replayed = await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body, headers });
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.headers.get('location')]).toEqual([201, 'true', `/v1/workers/${id}`]);
    // The worker's URL is the canonical (lower-case) one, whatever case the request used.
    const pop = await service.request('POST', `/v1/workers/${id.toUpperCase()}/pops`, { roles: ['coach'], body: { date: '2010-03-01', goals: ['x'] } });
    expect([pop.status, pop.headers.get('location')]).toEqual([201, `/v1/workers/${id}`]);
  });

  describe('every constraint the description states, the service enforces (and the reverse)', () => {
    let checker: OpenApiConformance;
    let workerId: string;

    beforeAll(async () => {
      checker = new OpenApiConformance(document);
      workerId = await aWorkerScreenedFor(service);
    });

    type Sent = { roles: string[]; body?: unknown; headers?: Record<string, string> };

    /**
     * The document refuses the request for the reason given (the standard validator's words: `body/fte
     * must be multiple of 0.0001`), and so does the service: 400 naming the field.
     */
    async function refusedByBoth(method: string, url: string, sent: Sent, field: string, because: string) {
      const violations = checker.requestViolations(method, url, { body: sent.body, headers: sent.headers }).join('\n');
      expect([method, url, sent.body, violations]).toEqual([method, url, sent.body, expect.stringContaining(because)]);
      const answer = await service.request(method, url, sent as never);
      expect([method, url, sent.body, answer.status, answer.body.errors?.map((e: Json) => e.field)]).toEqual([
        method,
        url,
        sent.body,
        400,
        expect.arrayContaining([field]),
      ]);
    }

    test('every object in a request body is closed, and the service refuses a key it does not declare, however deep', async () => {
      const cases: [string, string, unknown, string][] = [];
      for (const [op, operation] of operations(document)) {
        const schema = operation.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        const template = op.split(' ')[1];
        const url = template.replace(/\{[^}]+\}/g, (name) =>
          name === '{id}' && template.startsWith('/v1/workers/') ? workerId : '6f1c1d4e-8a3b-4c2d-9e0f-1a2b3c4d5e6f',
        );
        for (const place of objectsIn(document, schema)) cases.push([op, url, place.body, place.field]);
      }
      // Every JSON body of this round, and the objects nested in them.
      expect(cases.map(([op, , , field]) => `${op} ${field}`)).toEqual(
        expect.arrayContaining([
          'POST /v1/workers zzUndeclared',
          'POST /v1/workers/{id}/screenings indication.supportPackage.zzUndeclared',
          'POST /v1/employment-declarations [0].zzUndeclared',
          'POST /v1/statistics/publications zzUndeclared',
        ]),
      );
      for (const [op, url, body, field] of cases) {
        const roles = ['admin', 'screener', 'coach', 'analyst'].filter((role) => documented(document, op)['x-roles'].includes(role)).slice(0, 1);
        // `indication.zzUndeclared` is refused at `body/indication`, `[0].zzUndeclared` at `body/0`.
        const at = [
          'body',
          ...field
            .split(/[.[\]]+/)
            .filter(Boolean)
            .slice(0, -1),
        ].join('/');
        await refusedByBoth(op.split(' ')[0], url, { roles: roles.length ? roles : ['admin'], body }, field, `${at} must NOT have additional properties`);
      }
    });

    test('integers, bounds and decimals', async () => {
      const coach = { roles: ['coach'] };
      const retractions = `/v1/workers/${workerId}/retractions`;
      await refusedByBoth('POST', retractions, { ...coach, body: { version: 1.5, reason: 'typo' } }, 'version', 'body/version must be integer');
      await refusedByBoth('POST', retractions, { ...coach, body: { version: 0, reason: 'typo' } }, 'version', 'body/version must be >= 1');
      const placements = `/v1/workers/${workerId}/placements`;
      const placement = { programme: 'SW', enterpriseId: 'e', startDate: '2010-02-01' };
      await refusedByBoth('POST', placements, { ...coach, body: { ...placement, fte: 0.12345 } }, 'fte', 'body/fte must be multiple of 0.0001');
      await refusedByBoth('POST', placements, { ...coach, body: { ...placement, fte: 0 } }, 'fte', 'body/fte must be >= 0.0001');
      await refusedByBoth('POST', placements, { ...coach, body: { ...placement, fte: 1.0001 } }, 'fte', 'body/fte must be <= 1');
      const support = { workFloorTraining: true, workFloorCoaching: null, wagePremiumPct: 50, workplaceAdaptation: false };
      const screening = (indication: Json) => ({ date: '2010-01-05', advice: 'supported-employment', programme: 'MAATWERK', indication });
      const screener = { roles: ['screener'] };
      const screenings = `/v1/workers/${workerId}/screenings`;
      await refusedByBoth(
        'POST',
        screenings,
        { ...screener, body: screening({ conditional: false, productivityLossPct: 12.345, supportPackage: support }) },
        'indication.productivityLossPct',
        'body/indication/productivityLossPct must be multiple of 0.01',
      );
      await refusedByBoth(
        'POST',
        screenings,
        { ...screener, body: screening({ conditional: false, productivityLossPct: 100.5, supportPackage: support }) },
        'indication.productivityLossPct',
        'body/indication/productivityLossPct must be <= 100',
      );
      await refusedByBoth(
        'POST',
        screenings,
        { ...screener, body: screening({ conditional: false, supportPackage: { ...support, wagePremiumPct: 50.001 } }) },
        'indication.supportPackage.wagePremiumPct',
        'body/indication/supportPackage/wagePremiumPct must be multiple of 0.01',
      );
      const analyst = { roles: ['analyst'] };
      // A JSON body's year is a number: the text a query parameter may be is refused here.
      const publications = '/v1/statistics/publications';
      await refusedByBoth('POST', publications, { ...analyst, body: { table: 'flows', year: '2011' } }, 'year', 'body/year must be integer');
      for (const [limit, because] of [
        ['0', 'must be >= 1'],
        ['1001', 'must be <= 1000'],
        ['1.5', 'must be integer'],
      ])
        await refusedByBoth('GET', `/v1/statistics/publications?limit=${limit}`, analyst, 'limit', `limit/value ${because}`);
    });

    test('every validation rule of a body or query DTO is stated on its property (routes added later too)', () => {
      const mismatches: string[] = [];
      const inputs = validatedInputs(service, document);
      expect(inputs.map(({ where }) => where)).toEqual(
        expect.arrayContaining([
          'POST /v1/workers (RegisterWorkerDto)',
          'POST /v1/workers/{id}/retractions (RetractStepDto)',
          'POST /v1/workers/{id}/screenings (IndicationDto)',
          'POST /v1/workers/{id}/screenings (SupportPackageDto)',
          'GET /v1/workers (ListWorkersQuery)',
          'GET /v1/audit (AuditQuery)',
          'POST /v1/statistics/publications (PublishTableDto)',
          'GET /v1/statistics/publications (PublicationListQuery)',
          'GET /v1/statistics/outflow (OutflowQuery)',
          'POST /v1/employment-declarations (EmploymentDeclarationDto)',
        ]),
      );
      for (const { where, dto, schemaOf } of inputs) {
        for (const [property, rules] of Object.entries(rulesOf(dto))) {
          const schema = schemaOf(property);
          if (!schema) {
            mismatches.push(`${where} ${property}: not in the description`);
            continue;
          }
          mismatches.push(...disagreements(schema, rules).map((problem) => `${where} ${property}: ${problem}`));
        }
      }
      expect(mismatches).toEqual([]);
    });

    test('decimals the description allows pass the standard validator and the service alike', async () => {
      // multipleOf 0.0001 is about the decimal written: 0.3 / 0.0001 is not a whole number in binary floating point.
      for (const fte of [0.3, 0.0003, 0.1234, 1]) {
        const id = await aWorkerScreenedFor(service);
        const body = { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte };
        expect(checker.requestViolations('POST', `/v1/workers/${id}/placements`, { body })).toEqual([]);
        expect((await service.request('POST', `/v1/workers/${id}/placements`, { roles: ['coach'], body })).status).toBe(201);
      }
    });

    test('patterns and lengths: coach, INSZ, waitFor, audit from/to, If-Match, reasons, publications after', async () => {
      const pattern = 'must match pattern';
      await refusedByBoth(
        'POST',
        `/v1/workers/${workerId}/coach-assignments`,
        { roles: ['admin'], body: { coach: 'two words' } },
        'coach',
        `body/coach ${pattern}`,
      );
      await refusedByBoth('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(), coach: '' } }, 'coach', `body/coach ${pattern}`);
      await refusedByBoth(
        'POST',
        '/v1/workers',
        { roles: ['screener'], body: { ...registration(), coach: 'system:x' } },
        'coach',
        'body/coach must NOT be valid',
      );
      await refusedByBoth(
        'POST',
        `/v1/workers/${workerId}/coach-assignments`,
        { roles: ['admin'], body: { coach: 'system:x' } },
        'coach',
        'body/coach must NOT be valid',
      );
      for (const name of ['\u202eAnna', '123', '\u200b'])
        await refusedByBoth(
          'POST',
          '/v1/workers',
          { roles: ['screener'], body: { ...registration(), givenName: name } },
          'givenName',
          `body/givenName ${pattern}`,
        );
      expect(checker.requestViolations('POST', '/v1/workers', { body: { ...registration(), givenName: 'Zoë-Ann', familyName: "D'Haese" } })).toEqual([]);
      await refusedByBoth('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(), insz: '8507300332' } }, 'insz', `body/insz ${pattern}`);
      await refusedByBoth('GET', '/v1/workers?insz=85.07.30-033', { roles: ['screener'] }, 'insz', `insz/value ${pattern}`);
      await refusedByBoth('GET', '/v1/workers?insz=abcdefghijk', { roles: ['screener'] }, 'insz', `insz/value ${pattern}`);
      await refusedByBoth('GET', '/v1/workers?waitFor=12', { roles: ['screener'] }, 'waitFor', `waitFor/value ${pattern}`);
      await refusedByBoth('GET', '/v1/audit?waitFor=x-1', { roles: ['admin'] }, 'waitFor', `waitFor/value ${pattern}`);
      await refusedByBoth('GET', '/v1/audit?from=2011-02', { roles: ['admin'] }, 'from', `from/value ${pattern}`);
      await refusedByBoth('GET', '/v1/audit?to=2011-02-03T10', { roles: ['admin'] }, 'to', `to/value ${pattern}`);
      await refusedByBoth('GET', '/v1/audit?workerId=nope', { roles: ['admin'] }, 'workerId', `workerId/value ${pattern}`);
      await refusedByBoth(
        'POST',
        `/v1/workers/${workerId}/retractions`,
        { roles: ['coach'], body: { version: 2, reason: '' } },
        'reason',
        'body/reason must NOT have fewer than 1 characters',
      );
      await refusedByBoth('GET', '/v1/statistics/publications?after=not-a-publication', { roles: ['analyst'] }, 'after', `after/value ${pattern}`);
      for (const ifMatch of ['3', '"3', 'W/3', '"3" "4"', '*, "3"', ','])
        await refusedByBoth(
          'POST',
          `/v1/workers/${workerId}/pops`,
          { roles: ['coach'], body: { date: '2010-03-01', goals: ['x'] }, headers: { 'If-Match': ifMatch } },
          'If-Match',
          `If-Match/value ${pattern}`,
        );
    });

    test('what the service accepts, the description allows: a worker id in capitals in the audit, an INSZ with separators', async () => {
      for (const url of [`/v1/audit?workerId=${workerId.toUpperCase()}&from=2010-01-01&to=2030-01-01T00:00:00.000Z`]) {
        expect([url, checker.requestViolations('GET', url, {})]).toEqual([url, []]);
        expect((await service.request('GET', url, { roles: ['admin'] })).status).toBe(200);
      }
      const insz = freshInsz();
      const spelled = `${insz.slice(0, 2)}.${insz.slice(2, 4)}.${insz.slice(4, 6)}-${insz.slice(6, 9)}.${insz.slice(9)}`;
      expect(checker.requestViolations('GET', `/v1/workers?insz=${encodeURIComponent(spelled)}`, {})).toEqual([]);
      expect((await service.request('GET', `/v1/workers?insz=${encodeURIComponent(spelled)}`, { roles: ['screener'] })).status).toBe(200);
      expect((await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(spelled) })).status).toBe(201);
    });

    test('If-Match forms the service reads are ones the description allows', () => {
      const pops = `/v1/workers/${workerId}/pops`;
      for (const ifMatch of ['"3"', '*', ' "1" , W/"2" ', '"1",,"1"', ', "1"', '"abc"', 'W/""'])
        expect([ifMatch, checker.requestViolations('POST', pops, { body: { date: '2010-03-01', goals: ['x'] }, headers: { 'If-Match': ifMatch } })]).toEqual([
          ifMatch,
          [],
        ]);
    });

    test('publications: year, or from and to; method only for the outflow table', async () => {
      const analyst = { roles: ['analyst'] };
      const url = '/v1/statistics/publications';
      const oneOf = 'body must match exactly one schema in oneOf';
      await refusedByBoth('POST', url, { ...analyst, body: { table: 'flows' } }, 'year', oneOf);
      await refusedByBoth('POST', url, { ...analyst, body: { table: 'flows', year: 2011, from: 2010, to: 2011 } }, 'year', oneOf);
      await refusedByBoth('POST', url, { ...analyst, body: { table: 'outflow', from: 2010 } }, 'to', oneOf);
      await refusedByBoth('POST', url, { ...analyst, body: { table: 'flows', year: 2011, method: 'including-ibo' } }, 'method', 'body must NOT be valid');
      expect(document.components.schemas.PublishTableDto.properties.method.default).toBeUndefined();
      for (const body of [
        { table: 'flows', year: 2011 },
        { table: 'flows', from: 2010, to: 2011 },
        { table: 'outflow', year: 2011, method: 'employment-only' },
      ])
        expect([body, checker.requestViolations('POST', url, { body })]).toEqual([body, []]);
    });

    test('a nullable object is null for a standard validator too (a screening without indication)', async () => {
      const id = await aWorkerScreenedFor(service, 'ARBEIDSZORG');
      const worker = await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] });
      expect(worker.body.latestScreening.indication).toBeNull();
      expect(checker.violations('GET', `/v1/workers/${id}`, worker)).toEqual([]);
    });

    test('x-roles lists only the roles a route checks: GET /session answers a token with no role', async () => {
      expect(documented(document, 'GET /session')['x-roles']).toEqual([]);
      const session = await service.request('GET', '/session', { roles: [] });
      expect([session.status, session.body.roles]).toEqual([200, []]);
    });
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
          headers: { 'if-match': '3' },
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

/**
 * Each object a body of this schema may hold, as a body that puts an undeclared key `zzUndeclared`
 * there, and the field the service names for it (`indication.supportPackage.zzUndeclared`, `[0].zzUndeclared`).
 */
function objectsIn(document: Json, schema: Json, field = '', wrap: (inner: unknown) => unknown = (inner) => inner): { body: unknown; field: string }[] {
  if (schema.$ref) return objectsIn(document, document.components.schemas[(schema.$ref as string).split('/').pop()!], field, wrap);
  // A nullable or described reference: `anyOf: [$ref, null]`, `allOf: [$ref]`.
  const members = ((schema.allOf ?? schema.anyOf ?? schema.oneOf ?? []) as Json[]).filter((member) => member.$ref || member.type);
  if (members.length) return members.flatMap((member) => objectsIn(document, member, field, wrap));
  const types = ([] as string[]).concat(schema.type ?? []);
  if (types.includes('array')) return objectsIn(document, schema.items, `${field}[0]`, (inner) => wrap([inner]));
  if (!types.includes('object')) return [];
  const here = { body: wrap({ zzUndeclared: 1 }), field: field ? `${field}.zzUndeclared` : 'zzUndeclared' };
  return [
    here,
    ...Object.entries((schema.properties ?? {}) as Json).flatMap(([name, property]) =>
      objectsIn(document, property, field ? `${field}.${name}` : name, (inner) => wrap({ [name]: inner })),
    ),
  ];
}

/** A class-validator rule: its name (`isInt`, `max`, `matches` ...), its constraints, and whether it applies to each item. */
type Rule = { name: string; constraints: unknown[]; each: boolean };

/** The class-validator rules of a DTO class (inherited ones too), by property. */
function rulesOf(dto: Dto): Record<string, Rule[]> {
  const rules: Record<string, Rule[]> = {};
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const name = metadata.name ?? metadata.type;
    (rules[metadata.propertyName] ??= []).push({ name, constraints: metadata.constraints ?? [], each: metadata.each });
  }
  return rules;
}

type Dto = abstract new (...args: never[]) => unknown;

const hasRules = (type: unknown): type is Dto =>
  typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;

/**
 * Every DTO the validation pipe checks, with where its properties are described: a body DTO (and the
 * DTOs nested in it, and the models a handler names with @ApiExtraModels) as its component schema,
 * a query DTO as the parameters of its operation. Found from the controllers, so a route added later is in it.
 */
function validatedInputs(service: TestService, document: Json) {
  const inputs: { where: string; dto: Dto; schemaOf: (property: string) => Json | undefined }[] = [];
  const byOperationId = new Map(operations(document).map(([op, operation]) => [operation.operationId as string, { op, operation }]));
  const bodies = new Map<Dto, string>();
  const addBody = (dto: Dto, where: string) => {
    if (bodies.has(dto)) return;
    bodies.set(dto, where);
    for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
      const nested: unknown = Reflect.getMetadata('design:type', dto.prototype as object, rule.propertyName);
      if (hasRules(nested)) addBody(nested, where);
    }
  };
  for (const module of service.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Dto | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const found = byOperationId.get(`${controller.name}_${name}`);
        if (!found) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const params = (Reflect.getMetadata('design:paramtypes', prototype, name) ?? []) as unknown[];
        for (const [key, { index, data }] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]) as RouteParamtypes;
          const dto = params[index];
          if (data !== undefined || !hasRules(dto)) continue;
          if (kind === RouteParamtypes.BODY) addBody(dto, found.op);
          if (kind === RouteParamtypes.QUERY)
            inputs.push({
              where: `${found.op} (${dto.name})`,
              dto,
              schemaOf: (property) => ((found.operation.parameters ?? []) as Json[]).find((p) => p.in === 'query' && p.name === property)?.schema,
            });
        }
        for (const model of (Reflect.getMetadata('swagger/apiExtraModels', prototype[name] as object) ?? []) as unknown[])
          if (hasRules(model)) addBody(model, found.op);
      }
    }
  }
  for (const [dto, where] of bodies) {
    const component = document.components.schemas[dto.name] as Json | undefined;
    inputs.push({ where: `${where} (${dto.name})`, dto, schemaOf: (property) => component?.properties?.[property] });
  }
  return inputs;
}

const types = (schema: Json): string[] => ([] as string[]).concat(schema.type ?? []);

/** How the description of a property departs from its validation rules. */
function disagreements(property: Json, rules: Rule[]): string[] {
  const problems: string[] = [];
  for (const { name, constraints, each } of rules) {
    const schema = each ? (property.items ?? {}) : property;
    const [first] = constraints as [any];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(`${name}${constraints.length ? ` ${JSON.stringify(constraints[0])}` : ''} but ${what}: ${JSON.stringify(schema)}`);
    };
    if (name === 'isInt') check(types(schema).includes('integer'), 'not integer');
    if (name === 'isNumber') check(types(schema).includes('number') || types(schema).includes('integer'), 'not a number');
    if (name === 'isBoolean') check(types(schema).includes('boolean'), 'not boolean');
    if (name === 'isString') check(types(schema).includes('string'), 'not a string');
    if (name === 'min') check(schema.minimum === first || schema.exclusiveMinimum === first, 'another minimum');
    if (name === 'max') check(schema.maximum === first, 'another maximum');
    if (name === 'maxLength') check(schema.maxLength === first || (schema.pattern !== undefined && schema.maxLength === undefined), 'another maxLength');
    if (name === 'minLength') check(schema.minLength === first || schema.pattern !== undefined, 'another minLength');
    if (name === 'isNotEmpty') check(schema.minLength >= 1 || schema.pattern !== undefined, 'no minLength');
    if (name === 'matches') check(schema.pattern !== undefined, 'no pattern');
    if (name === 'isUUID') check(schema.format === 'uuid', 'not format uuid');
    if (name === 'isCalendarDate') check(schema.format === 'date', 'not format date');
    if (name === 'isIn') check(JSON.stringify((schema.enum ?? []).filter((v: unknown) => v !== null)) === JSON.stringify(first), 'another enum');
    if (name === 'maxDecimalPlaces') check(Math.abs(schema.multipleOf - 10 ** -first) < 1e-12, 'another multipleOf');
    if (name === 'arrayMinSize') check(property.minItems === first, 'another minItems');
    if (name === 'arrayMaxSize') check(property.maxItems === first, 'another maxItems');
  }
  return problems;
}

function documented(document: Json, op: string): Json {
  const [method, path] = op.split(' ');
  return document.paths[path][method.toLowerCase()];
}
