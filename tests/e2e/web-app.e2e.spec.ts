import { mintLoginCode } from '../../apps/api/src/web/login-codes.js';
import { CONTENT_SECURITY_POLICY } from '../../apps/api/src/web/web-app-headers.js';
import { signToken, type Role } from '../../apps/api/src/http/auth.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';
import { WEB_APP_FILES, webRootFixture } from '../support/web-root.js';

/**
 * api.md "The browser", as the built process serves it (Jest on Node 20 cannot load the static-file
 * plugin in-process): the web application at `/` with its caching and security headers, and Bull
 * Board under an admin's browser session.
 */
describe('the web application and Bull Board in the built process', () => {
  const webRoot = webRootFixture();
  let service: BuiltService;

  beforeAll(async () => {
    service = await startBuiltService({ WEB_ROOT: webRoot.dir });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
    webRoot.remove();
  });

  const SECURITY_HEADERS = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
  const headersOf = (response: Response, names: string[]) => Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));

  test('/ and /index.html: the page, revalidated on every load (no-cache), with a strict CSP; no token needed', async () => {
    for (const path of ['/', '/index.html']) {
      const response = await fetch(`${service.url}${path}`);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toBe(WEB_APP_FILES['/index.html']);
      expect(headersOf(response, ['cache-control', ...Object.keys(SECURITY_HEADERS)])).toEqual({ 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
  });

  test('/assets/*: the hashed files, cached for a year as immutable', async () => {
    for (const path of ['/assets/app-3f2a9c1b.js', '/assets/app-5d8e7f60.css'] as const) {
      const response = await fetch(`${service.url}${path}`);
      expect([path, response.status, await response.text()]).toEqual([path, 200, WEB_APP_FILES[path]]);
      expect(headersOf(response, ['cache-control', ...Object.keys(SECURITY_HEADERS)])).toEqual({
        'cache-control': 'public, max-age=31536000, immutable',
        ...SECURITY_HEADERS,
      });
    }
    expect((await fetch(`${service.url}/assets/app-3f2a9c1b.js`, { method: 'HEAD' })).status).toBe(200);
  });

  test('no catch-all: any other path is still a 404 problem, another method a 405 problem', async () => {
    const missing = await fetch(`${service.url}/assets/nothing-here.js`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'application/problem+json; charset=utf-8']);
    expect((await fetch(`${service.url}/worker/123`)).status).toBe(404);
    const post = await fetch(`${service.url}/`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${service.url}/../secrets.json`)).status).toBe(404);
  });

  /** A browser session of the built process, from a login link. */
  async function sessionOf(sub: string, roles: Role[]): Promise<{ cookie: string; csrfToken: string }> {
    const login = await fetch(`${service.url}/login?code=${mintLoginCode(service.secret, { sub, roles })}`, { redirect: 'manual' });
    expect([login.status, login.headers.get('location')]).toEqual([303, '/']);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const session = (await (await fetch(`${service.url}/session`, { headers: { cookie } })).json()) as { csrfToken: string };
    return { cookie, csrfToken: session.csrfToken };
  }

  test("Bull Board opens with an admin's session, not with another role's; it changes nothing, whatever the CSRF token or bearer token", async () => {
    const admin = await sessionOf('admin-1', ['admin']);
    const coach = await sessionOf('coach-1', ['coach']);
    const page = await fetch(`${service.url}/admin/queues`, { headers: { cookie: admin.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const queues = await fetch(`${service.url}/admin/queues/api/queues`, { headers: { cookie: admin.cookie } });
    expect(queues.status).toBe(200);
    expect((await fetch(`${service.url}/admin/queues`, { headers: { cookie: coach.cookie } })).status).toBe(403);
    expect((await fetch(`${service.url}/admin/queues`)).status).toBe(401);

    const pause = (headers: Record<string, string>) => fetch(`${service.url}/admin/queues/api/queues/follow-up-checks/pause`, { method: 'PUT', headers });
    const resume = (headers: Record<string, string>) => fetch(`${service.url}/admin/queues/api/queues/follow-up-checks/resume`, { method: 'PUT', headers });
    const refused = await pause({ cookie: admin.cookie });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { type: string }).type).toBe('/problems/csrf-token-missing');
    expect((await pause({ cookie: admin.cookie, 'x-csrf-token': coach.csrfToken })).status).toBe(403);
    expect((await pause({ cookie: coach.cookie, 'x-csrf-token': coach.csrfToken })).status).toBe(403);
    expect(await pausedQueues(admin.cookie)).toEqual([]);
    // Read-only (queue-board.ts): an admin with the right CSRF token, or a bearer token, gets 405.
    expect((await pause({ cookie: admin.cookie, 'x-csrf-token': admin.csrfToken })).status).toBe(405);
    const bearer = { authorization: `Bearer ${signToken(service.secret, { sub: 'admin-2', roles: ['admin'] })}` };
    expect((await pause(bearer)).status).toBe(405);
    expect((await resume(bearer)).status).toBe(405);
    expect(await pausedQueues(admin.cookie)).toEqual([]);
  });

  async function pausedQueues(cookie: string): Promise<string[]> {
    const { queues } = (await (await fetch(`${service.url}/admin/queues/api/queues`, { headers: { cookie } })).json()) as {
      queues: { name: string; isPaused: boolean }[];
    };
    return queues.filter((q) => q.isPaused).map((q) => q.name);
  }
});

describe('without a built web application', () => {
  let service: BuiltService;
  beforeAll(async () => {
    service = await startBuiltService({ WEB_ROOT: '/nonexistent/trajectory-web' });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
  });

  test('/ is a 404 problem, and the API works as before', async () => {
    const root = await fetch(`${service.url}/`);
    expect([root.status, root.headers.get('content-type')]).toEqual([404, 'application/problem+json; charset=utf-8']);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    expect(service.routes.some((r) => r.path === '/index.html')).toBe(false);
  });
});
