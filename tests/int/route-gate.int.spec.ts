import { request } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { RequestAuthenticator, TokenVerifier, signToken } from '../../apps/api/src/http/auth.js';
import { FailedAuthentications, MAX_FAILED_AUTHENTICATIONS } from '../../apps/api/src/http/failed-authentications.js';
import { RouteGate } from '../../apps/api/src/http/route-gate.js';

const SECRET = 'route-gate-unit-test-secret-0123456789';
const verifier = new TokenVerifier(SECRET, { maxTokenHours: 12, jwksUrl: null, issuer: null, audience: null, rolesClaim: 'roles' });
const bearer = (roles: string[]) => ({ authorization: `Bearer ${signToken(SECRET, { sub: 'u', roles: roles as never })}` });

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Over real HTTP with the path as written (Jest cannot load light-my-request's ESM dependency for inject). */
function send(app: FastifyInstance, options: { method: string; url: string; headers?: Record<string, string>; from?: string }): Promise<Answer> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const where = { host: '127.0.0.1', port, localAddress: options.from ?? '127.0.0.1' };
    const req = request({ ...where, method: options.method, path: options.url, headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A Fastify instance with the gate, Nest-like routes and a plugin with its own prefix, like Bull Board. */
async function server(): Promise<{ app: FastifyInstance; calls: string[] }> {
  const calls: string[] = [];
  const app = Fastify();
  const failures = new FailedAuthentications();
  await failures.install(app);
  new RouteGate(new RequestAuthenticator(verifier, null), failures)
    .declarePublic('/docs', { subtree: true })
    .requireRoles('/admin/queues', ['admin'])
    .install(app);
  app.get('/health', { config: { access: 'public' } }, async () => ({ ok: true }));
  app.get('/v1/things/:id', async (request) => ({ actor: (request as unknown as { actor: unknown }).actor }));
  app.post('/v1/things', { config: { roles: ['admin'] } }, async () => {
    calls.push('posted');
    return { posted: true };
  });
  app.get('/docs/page', async () => 'docs');
  app.get('/documents', async () => 'not docs');
  await app.register(
    async (board) => {
      board.get('/', async () => 'board');
      board.put('/api/queues/:name/pause', { onRequest: async () => void calls.push('own hook') }, async () => {
        calls.push('paused');
        return { paused: true };
      });
    },
    { prefix: '/admin/queues' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return { app, calls };
}

const apps: FastifyInstance[] = [];
afterAll(() => Promise.all(apps.map((app) => app.close())));

describe('RouteGate', () => {
  test('a plugin route needs its token and role however its path is spelled', async () => {
    const { app, calls } = await server();
    for (const url of ['/admin/queues', '/%61dmin/queues', '/admin/%71ueues/', '/%61%64%6D%69%6E/queues']) {
      expect([url, (await send(app, { method: 'GET', url })).statusCode]).toEqual([url, 401]);
      expect([url, (await send(app, { method: 'HEAD', url })).statusCode]).toEqual([url, 401]);
      expect([url, (await send(app, { method: 'GET', url, headers: bearer(['coach']) })).statusCode]).toEqual([url, 403]);
      expect([url, (await send(app, { method: 'GET', url, headers: bearer(['admin']) })).statusCode]).toEqual([url, 200]);
    }
    const pause = await send(app, { method: 'PUT', url: '/admin/%71ueues/api/queues/checks/pause' });
    expect(pause.statusCode).toBe(401);
    expect(pause.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(pause.body)).toMatchObject({ status: 401, type: '/problems/unauthorized' });
    expect(calls).toEqual([]);
    expect((await send(app, { method: 'PUT', url: '/admin/queues/api/queues/checks/pause', headers: bearer(['admin']) })).statusCode).toBe(200);
    // The route's own hooks still run, after the gate.
    expect(calls).toEqual(['own hook', 'paused']);
  });

  test('public only when declared: route config, or a declared path and its subtree (not a lookalike)', async () => {
    const { app } = await server();
    expect((await send(app, { method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await send(app, { method: 'HEAD', url: '/%68ealth' })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: '/docs/page' })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: '/documents' })).statusCode).toBe(401);
    expect((await send(app, { method: 'GET', url: '/v1/things/1' })).statusCode).toBe(401);
  });

  test('an authenticated answer carries no-store and leaves the actor on the request', async () => {
    const { app } = await server();
    const answer = await send(app, { method: 'GET', url: '/v1/things/1', headers: bearer(['coach']) });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ actor: { sub: 'u', roles: ['coach'] } });
    expect((await send(app, { method: 'GET', url: '/health' })).headers['cache-control']).toBeUndefined();
  });

  test("a route's @Roles (its route config) are checked before the body is read", async () => {
    const { app, calls } = await server();
    const post = (headers: Record<string, string>) => send(app, { method: 'POST', url: '/v1/things', headers });
    expect((await post(bearer(['coach']))).statusCode).toBe(403);
    expect((await post({})).statusCode).toBe(401);
    expect(calls).toEqual([]);
    expect((await post(bearer(['admin']))).statusCode).toBe(200);
    expect(calls).toEqual(['posted']);
  });

  test(`past ${MAX_FAILED_AUTHENTICATIONS} failed authentications in a minute, the address's further failures are 429 with Retry-After; valid requests and other addresses pass`, async () => {
    const { app } = await server();
    const bad = { authorization: 'Bearer not-a-token' };
    const answers = [];
    for (let i = 0; i < MAX_FAILED_AUTHENTICATIONS; i++)
      answers.push((await send(app, { method: 'GET', url: '/v1/things/1', headers: i % 2 ? bad : {} })).statusCode);
    expect(answers).toEqual(Array(MAX_FAILED_AUTHENTICATIONS).fill(401));
    const refused = await send(app, { method: 'GET', url: '/v1/things/1', headers: bad });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, type: expect.stringContaining('too-many-failed-authentications') });
    expect((await send(app, { method: 'GET', url: '/admin/queues', headers: bad })).statusCode).toBe(429);
    expect((await send(app, { method: 'GET', url: '/v1/things/1', headers: bearer(['coach']) })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: '/v1/things/1', headers: bad, from: '127.0.0.2' })).statusCode).toBe(401);
  });
});
