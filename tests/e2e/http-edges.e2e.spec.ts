import { createServer, type Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { parseIfMatch } from '../../apps/api/src/http/if-match.js';
import { aWorkerScreenedFor } from '../fixtures/workers.js';
import { freePort } from '../support/ports.js';
import { startTestService, type TestService } from '../support/service.js';
import { TEST_ENTERPRISE } from '../support/directory.js';

/** api.md "Hardening" at the edges of HTTP: 405 with Allow, the server's own errors, If-Match, caching, /health. */

/** A raw request: fetch cannot send a 20 kB header to a server that closes while refusing it. */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const isProblem = (answer: { status: number; headers: Headers; body: any }, status: number) => {
  expect([answer.status, answer.headers.get('content-type'), answer.body?.status]).toEqual([status, 'application/problem+json; charset=utf-8', status]);
};

describe('HTTP edges', () => {
  let service: TestService;
  let idp: Server;
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    idpKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    idp = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(idp.address() as { port: number }).port}/jwks`;
    service = await startTestService({ mode: 'api', env: { AUTH_JWKS_URL: jwksUrl, AUTH_JWT_ISSUER: 'https://idp.test' } });
  });

  afterAll(async () => {
    await service.close();
    await new Promise((resolve) => idp.close(resolve));
  });

  describe('a method the path does not serve: 405 with Allow', () => {
    test.each([
      ['DELETE', '/health', 'GET, HEAD'],
      ['DELETE', '/%68ealth', 'GET, HEAD'],
      ['PUT', '/v1/workers', 'GET, HEAD, POST'],
      ['POST', '/v1/workers/abc', 'GET, HEAD'],
      ['GET', '/v1/workers/abc/exits', 'POST'],
      ['POST', '/v1/statistics/flows?year=2020', 'GET, HEAD'],
    ])('%s %s → 405, Allow: %s', async (method, path, allow) => {
      const answer = await service.request(method, path, { roles: ['admin'] });
      isProblem(answer, 405);
      expect(answer.headers.get('allow')).toBe(allow);
    });

    test.each([
      ['DELETE', '/v2/nothing'],
      // The router's lookup finds /v1/workers/:id with an empty id for GET, yet refuses the request.
      ['GET', '/v1/workers/'],
      ['GET', '/v1/workers/.'],
    ])('%s %s: a path nobody serves stays 404', async (method, path) => {
      const answer = await service.request(method, path, { roles: ['coach'] });
      isProblem(answer, 404);
      expect(answer.headers.get('allow')).toBeNull();
    });
  });

  describe("the server's own refusals are problem+json", () => {
    test('413: a body over 8 MiB to the declaration import', async () => {
      const answer = await service.request('POST', '/v1/employment-declarations', { roles: ['admin'], rawBody: `[${'"x",'.repeat(2_300_000)}"x"]` });
      isProblem(answer, 413);
    });

    test('413: a command body over 64 KiB, refused unread', async () => {
      const answer = await service.request('POST', '/v1/workers', { roles: ['coach'], rawBody: JSON.stringify({ goals: 'x'.repeat(70_000) }) });
      isProblem(answer, 413);
    });

    test('400, never 5xx: a forged cursor holding a date that does not exist, a NUL in a path parameter', async () => {
      const cursor = Buffer.from(JSON.stringify(['2026-02-30', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
      const forged = await service.request('GET', `/v1/return-guarantees?cursor=${cursor}`, { roles: ['admin'] });
      isProblem(forged, 400);
      expect(forged.body.errors).toEqual([{ field: 'cursor', code: 'bad-cursor', message: expect.any(String) }]);
      const publication = await service.request('GET', '/v1/statistics/publications/%00', { roles: ['analyst'] });
      isProblem(publication, 400);
      expect(publication.body.errors).toEqual([expect.objectContaining({ field: 'id', message: expect.stringContaining('NUL') })]);
      isProblem(await service.request('GET', '/v1/workers/%00', { roles: ['coach'] }), 400);
    });

    test('414: a path parameter over 2,048 characters', async () => {
      isProblem(await service.request('GET', `/v1/workers/${'a'.repeat(3000)}`, { roles: ['coach'] }), 414);
    });

    test('431: headers over the server limit (Node refuses them before Fastify)', async () => {
      const answer = await raw(service.url, 'GET', '/health', { 'x-big': 'a'.repeat(20_000) });
      expect(answer.status).toBe(431);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 431, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
      const longUrl = await raw(service.url, 'GET', `/health?${'q'.repeat(20_000)}`, {});
      expect([longUrl.status, longUrl.headers['content-type']]).toEqual([431, 'application/problem+json; charset=utf-8']);
    });
  });

  describe('If-Match compares strongly (RFC 9110)', () => {
    const versionOf = async (id: string) => (await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] })).body.version as number;
    const place = (id: string, ifMatch: string) =>
      service.request('POST', `/v1/workers/${id}/placements`, {
        roles: ['coach'],
        body: { programme: 'SW', enterpriseId: TEST_ENTERPRISE, startDate: '2010-02-01', fte: 1 },
        headers: { 'if-match': ifMatch },
      });

    test('weak or non-version tags never match: 412, nothing written', async () => {
      const id = await aWorkerScreenedFor(service);
      expect(await versionOf(id)).toBe(2);
      for (const tag of ['W/"2"', '"02"', '"abc"', 'W/"2", W/"3"']) {
        const answer = await place(id, tag);
        expect([tag, answer.status]).toEqual([tag, 412]);
        isProblem(answer, 412);
      }
      expect(await versionOf(id)).toBe(2);
    });

    test('no entity tag at all is 400', async () => {
      const id = await aWorkerScreenedFor(service);
      for (const tag of ['2', 'W/2', 'w/"2"', '"2', '2"', "'2'", '"2" "3"', '"2", "3"', '', ',']) {
        const answer = await place(id, tag);
        expect([tag, answer.status]).toEqual([tag, 400]);
        expect(answer.body.errors).toEqual([{ field: 'If-Match', code: 'bad-format', message: expect.any(String) }]);
      }
      expect(await versionOf(id)).toBe(2);
    });

    test('"2" (alone or in a list with weak tags) and * match', async () => {
      const a = await aWorkerScreenedFor(service);
      expect((await place(a, '"2"')).status).toBe(201);
      const b = await aWorkerScreenedFor(service);
      expect((await place(b, 'W/"1", "2"')).status).toBe(201);
      const c = await aWorkerScreenedFor(service);
      expect((await place(c, '*')).status).toBe(201);
      expect(await versionOf(c)).toBe(3);
    });

    test('the parser, case by case', () => {
      expect(parseIfMatch(undefined)).toEqual({ kind: 'absent' });
      expect(parseIfMatch('"3"')).toEqual({ kind: 'version', version: 3 });
      expect(parseIfMatch(' "3" , "3" ')).toEqual({ kind: 'version', version: 3 });
      expect(parseIfMatch('W/"3"')).toEqual({ kind: 'never' });
      expect(parseIfMatch('"9999999999"')).toEqual({ kind: 'never' });
      expect(parseIfMatch('*')).toEqual({ kind: 'any' });
      expect(() => parseIfMatch('3')).toThrow();
      expect(() => parseIfMatch('*, "3"')).toThrow();
    });
  });

  test('GET /v1/workers/{id} answers with Cache-Control: no-store', async () => {
    const id = await aWorkerScreenedFor(service);
    const answer = await service.request('GET', `/v1/workers/${id}`, { roles: ['coach'] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  describe('tokens over HTTP', () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    test('a token without exp, or living 13 hours, is 401 problem+json', async () => {
      const { createHmac } = await import('node:crypto');
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'x', roles: ['admin'], iat: Math.floor(Date.now() / 1000) })}`;
      const noExp = `${unsigned}.${createHmac('sha256', service.config.jwtSecret!).update(unsigned).digest('base64url')}`;
      const answer = await service.request('GET', '/v1/follow-ups', { token: noExp });
      isProblem(answer, 401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      const { signToken } = await import('../../apps/api/src/http/auth.js');
      isProblem(
        await service.request('GET', '/v1/follow-ups', { token: signToken(service.config.jwtSecret!, { sub: 'x', roles: ['admin'] }, 13 * 3600) }),
        401,
      );
      expect((await service.request('GET', '/v1/follow-ups', { roles: ['admin'] })).status).toBe(200);
    });

    test("the identity provider's ES256 tokens (AUTH_JWKS_URL) are accepted, with its issuer only", async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = (iss: string) =>
        new SignJWT({ sub: 'idp-user', roles: ['analyst'], iss, iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(idpKey);
      expect((await service.request('GET', '/v1/statistics/flows?year=2020', { token: await token('https://idp.test') })).status).toBe(200);
      expect((await service.request('GET', '/v1/statistics/flows?year=2020', { token: await token('https://evil.test') })).status).toBe(401);
      expect((await service.request('GET', '/v1/follow-ups', { token: await token('https://idp.test') })).status).toBe(403);
    });
  });
});

describe('/health to anonymous clients', () => {
  test('names the components and their states; the error text goes to the log only', async () => {
    const service = await startTestService({ mode: 'api', env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      const answer = await service.request('GET', '/health');
      expect(answer.status).toBe(503);
      expect(answer.body.down).toContain('redis');
      expect(answer.body.checks.redis).toEqual({ status: 'down' });
      for (const [name, check] of Object.entries(answer.body.checks as Record<string, Record<string, unknown>>)) {
        for (const [key, value] of Object.entries(check)) {
          expect([name, key, key === 'status' ? ['up', 'down'].includes(value as string) : typeof value === 'boolean']).toEqual([name, key, true]);
        }
      }
      expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|error/i);
    } finally {
      await service.close();
    }
  });
});
