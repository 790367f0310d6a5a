import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { signToken } from '../../apps/api/src/http/auth.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';
import { webRootFixture } from '../support/web-root.js';

/**
 * api.md "Hardening": authorization is decided on the path as the router resolves it, for every
 * route the process serves, plugins' routes included. This walks every route Fastify's router
 * lists in the built process (Nest's, Swagger's, Bull Board's), in encoded and re-cased
 * variants, without a token, and fails on any answer but a 4xx where api.md makes nothing public.
 */

/**
 * What api.md makes public: /health, and the OpenAPI description with its UI; the pages of the
 * problem types it answers with; the web application's files (they hold no data) and the login
 * routes that start a browser session.
 */
const isPublic = (pattern: string) =>
  ['/health', '/docs', '/docs-json', '/docs-yaml', '/', '/index.html', '/login', '/login/options', '/login/oidc', '/login/oidc/callback'].includes(pattern) ||
  pattern.startsWith('/docs/') ||
  pattern.startsWith('/problems/') ||
  pattern.startsWith('/assets/');

const SAMPLES: Record<string, string> = {
  queueName: 'follow-up-checks',
  jobId: '1',
  queueStatus: 'failed',
  id: 'w-1',
  slug: 'stale-version',
  rule: 'date-in-future',
};

/** A concrete path for a route pattern: parameters and wildcards filled in. */
function concrete(pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => SAMPLES[name] ?? 'x').replace(/\*$/, 'index.html');
}

const encode = (char: string, upper: boolean) => {
  const hex = char.charCodeAt(0).toString(16);
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** The ways a client might spell the same path to slip past a check on the raw URL. */
function variants(path: string): string[] {
  const segments = path.split('/');
  const mapSegments = (f: (segment: string) => string) => segments.map((s) => (s === '' ? s : f(s))).join('/');
  const out = [
    path,
    // the first letter of each segment encoded (/%61dmin/%71ueues), lower and upper hex
    mapSegments((s) => (/[a-z]/i.test(s[0]) ? encode(s[0], false) + s.slice(1) : s)),
    mapSegments((s) => (/[a-z]/i.test(s[0]) ? encode(s[0], true) + s.slice(1) : s)),
    // only the first segment's first letter, the rest as is
    path.replace(/^\/([a-z])/i, (_, c: string) => `/${encode(c, false)}`),
    // every letter encoded
    path.replace(/[a-z]/gi, (c) => encode(c, true)),
    // re-cased
    path.toUpperCase(),
    mapSegments((s) => s[0].toUpperCase() + s.slice(1)),
    // slashes and dots
    `${path}/`,
    `/${path}`,
    // (the last slash encoded; a one-segment path would lose its leading slash: no HTTP request target)
    ...(path.lastIndexOf('/') > 0 ? [path.replace(/\/([^/]*)$/, '%2F$1')] : []),
    `/x/..${path}`,
    `/.${path}`,
    `${path}?x=1`,
  ];
  return [...new Set(out)];
}

describe('every route of the built process, without a token', () => {
  let service: BuiltService;

  const webRoot = webRootFixture();

  beforeAll(async () => {
    service = await startBuiltService({ WEB_ROOT: webRoot.dir });
  }, 90_000);

  afterAll(async () => {
    agent.destroy();
    await service?.stop();
    webRoot.remove();
  });

  test('the router lists Nest, Swagger and Bull Board routes', () => {
    const listed = service.routes.map((r) => `${r.method} ${r.path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /v1/workers',
        'GET /v1/workers/:id',
        'HEAD /v1/workers/:id',
        'GET /docs-json',
        'GET /admin/queues',
        'GET /admin/queues/api/queues',
        'PUT /admin/queues/api/queues/:queueName/pause',
        'PUT /admin/queues/api/queues/pause',
        'GET /admin/queues/static/*',
        'GET /docs/*',
        'GET /',
        'GET /index.html',
        'GET /assets/app-3f2a9c1b.js',
        'GET /login',
        'GET /session',
        'POST /logout',
      ]),
    );
  });

  test("issue 10's requests: Bull Board behind encoded paths, and a pause without a token", async () => {
    expect(await send(service.url, 'GET', '/%61dmin/queues')).toBe(401);
    expect(await send(service.url, 'GET', '/admin/%71ueues/api/queues')).toBe(401);
    expect(await send(service.url, 'PUT', '/admin/%71ueues/api/queues/follow-up-checks/pause')).toBe(401);
    const admin = { authorization: `Bearer ${signToken(service.secret, { sub: 'sweep', roles: ['admin'] })}` };
    const coach = { authorization: `Bearer ${signToken(service.secret, { sub: 'sweep', roles: ['coach'] })}` };
    expect(await send(service.url, 'GET', '/%61dmin/queues', coach)).toBe(403);
    const board = await fetch(`${service.url}/admin/queues/api/queues`, { headers: admin });
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as { queues: { name: string; isPaused: boolean }[] };
    expect(queues.map((q) => q.name)).toContain('follow-up-checks');
    expect(queues.filter((q) => q.isPaused).map((q) => q.name)).toEqual([]);
  });

  /**
   * 401, or 429 once this sweep's own hundreds of failed authentications pass the limit per
   * address (failed-authentications.ts): the gate answers 429 only for an authentication that failed.
   */
  const refusedAuthentication = (status: number) => status === 401 || status === 429;

  test('no route but the public ones answers 2xx (nor 3xx or 5xx) to any spelling of its path', async () => {
    const failures: string[] = [];
    let requests = 0;
    for (const { method, path: pattern } of service.routes) {
      if (isPublic(pattern)) continue;
      for (const path of variants(concrete(pattern))) {
        const status = await send(service.url, method, path);
        requests += 1;
        // The route as written must be refused for want of a token; its other spellings either
        // resolve to it (401 again) or to nothing (404) or to another method's route (405).
        const ok = path === concrete(pattern) ? refusedAuthentication(status) : status >= 400 && status < 500;
        if (!ok) failures.push(`${method} ${path} (route ${pattern}) → ${status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(500);
  }, 120_000);

  test('tokens without exp, or living longer than 12 hours, are refused on every route', async () => {
    const noExp = signTokenWithout('exp', service.secret);
    const tooLong = signToken(service.secret, { sub: 'sweep', roles: ['admin', 'screener', 'coach', 'analyst'] }, 13 * 3600);
    const failures: string[] = [];
    for (const { method, path: pattern } of service.routes) {
      if (isPublic(pattern)) continue;
      for (const token of [noExp, tooLong]) {
        const status = await send(service.url, method, concrete(pattern), { authorization: `Bearer ${token}` });
        if (!refusedAuthentication(status)) failures.push(`${method} ${pattern} → ${status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  test('the public routes stay public', async () => {
    for (const path of [
      '/health',
      '/docs',
      '/docs-json',
      '/%68ealth',
      '/problems/stale-version',
      '/problems/rule/date-in-future',
      '/',
      '/index.html',
      '/login/options',
    ]) {
      expect([path, await send(service.url, 'GET', path)]).toEqual([path, 200]);
    }
  });
});

const agent = new Agent({ keepAlive: true });

/** A request with the path sent exactly as written (fetch would normalise `..` and re-encode). */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HS256 token signed with the service's secret but without one claim (as older tokens were). */
function signTokenWithout(claim: 'exp', secret: string): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload: Record<string, unknown> = { sub: 'sweep', roles: ['admin', 'screener', 'coach', 'analyst'], iat: Math.floor(Date.now() / 1000) };
  delete payload[claim];
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
