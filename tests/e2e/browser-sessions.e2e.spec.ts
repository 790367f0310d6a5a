import { mintToken } from '../../apps/api/src/cli/mint-token.js';
import { signToken, type Role } from '../../apps/api/src/http/auth.js';
import { LOGIN_CODE_SECONDS, mintLoginCode } from '../../apps/api/src/web/login-codes.js';
import { SESSION_COOKIE } from '../../apps/api/src/web/session-cookie.js';
import { registration } from '../fixtures/workers.js';
import { TEST_ORGANISATIONS } from '../support/directory.js';
import { conformanceOf } from '../support/openapi-conformance.js';
import { startTestService, type HttpAnswer, type TestService } from '../support/service.js';

/** api.md "The browser": one-time login links, cookie sessions, CSRF, logout (docs/browser-sessions.md). */
describe('browser sessions', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  const secret = () => service.config.jwtSecret!;

  /** GET /login?code=… as a browser sends it, without following the redirect; checked against /docs-json. */
  async function login(code: string, headers: Record<string, string> = {}): Promise<{ location: string | null; setCookie: string | null }> {
    const path = `/login?code=${encodeURIComponent(code)}`;
    const response = await fetch(`${service.url}${path}`, { redirect: 'manual', headers });
    const answer = { status: response.status, headers: response.headers, body: await response.text() };
    (await conformanceOf(service.url)).assert('GET', path, answer);
    expect(response.status).toBe(303);
    return { location: response.headers.get('location'), setCookie: response.headers.get('set-cookie') };
  }

  interface Browser {
    cookie: string;
    csrfToken: string;
    request<T = any>(
      method: string,
      path: string,
      options?: { body?: unknown; csrf?: string | null; headers?: Record<string, string> },
    ): Promise<HttpAnswer<T>>;
  }

  /** A browser logged in through a fresh login link: its cookie and CSRF token. */
  async function browserOf(sub: string, roles: Role[]): Promise<Browser> {
    const { location, setCookie } = await login(mintLoginCode(secret(), { sub, roles }));
    expect(location).toBe('/');
    const cookie = setCookie!.split(';')[0];
    const session = await service.request('GET', '/session', { headers: { cookie } });
    expect(session.status).toBe(200);
    const csrfToken = session.body.csrfToken as string;
    return {
      cookie,
      csrfToken,
      request: (method, path, { body, csrf = csrfToken, headers = {} } = {}) =>
        service.request(method, path, { body, headers: { cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }), ...headers } }),
    };
  }

  test('a login link starts a session: 303 to /, an HttpOnly SameSite=Strict cookie; GET /session names the user', async () => {
    const { location, setCookie } = await login(mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] }));
    expect(location).toBe('/');
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=(43199|43200)$`));
    const cookie = setCookie!.split(';')[0];
    const session = await service.request('GET', '/session', { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    expect(session.body).toEqual({
      sub: 'coach-ann',
      roles: ['coach'],
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      // coach-ann is a coach of the test directory's organisation A
      organisation: { organisationId: TEST_ORGANISATIONS.a.organisationId, name: TEST_ORGANISATIONS.a.name, roles: ['coach'] },
    });
    const hoursLeft = (Date.parse(session.body.expiresAt) - Date.now()) / 3600_000;
    expect(hoursLeft).toBeGreaterThan(11.9);
    expect(hoursLeft).toBeLessThanOrEqual(12);
    // Only hashes are stored: the cookie's value is nowhere in the table.
    const { rows } = await service.database.db.query<{ id_hash: string }>('SELECT id_hash FROM browser_sessions');
    expect(rows.map((r) => r.id_hash).join()).not.toContain(cookie.split('=')[1]);
  });

  test("X-Forwarded-Proto is no client's to set: without TRUST_PROXY the cookie follows the connection (http: not Secure)", async () => {
    const { setCookie } = await login(mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] }), { 'x-forwarded-proto': 'https' });
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  });

  test('over https behind a trusted proxy (TRUST_PROXY names it) the cookie is Secure; behind an untrusted one it is not', async () => {
    for (const [trustProxy, secure] of [
      ['127.0.0.1', true],
      ['10.0.0.0/8', false],
      ['1', true],
    ] as const) {
      const behindProxy = await startTestService({ env: { TRUST_PROXY: trustProxy } });
      try {
        const code = mintLoginCode(behindProxy.config.jwtSecret!, { sub: 'coach-ann', roles: ['coach'] });
        const response = await fetch(`${behindProxy.url}/login?code=${code}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
        expect(response.status).toBe(303);
        expect([trustProxy, response.headers.get('set-cookie')?.endsWith('; Secure')]).toEqual([trustProxy, secure]);
      } finally {
        await behindProxy.close();
      }
    }
  }, 60_000);

  test('a link works once; an expired, forged or altered code, or a bearer token as code, starts no session', async () => {
    const code = mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] });
    expect((await login(code)).location).toBe('/');
    const failed = { location: '/?login=failed', setCookie: null };
    expect(await login(code)).toEqual(failed);
    const expired = mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] }, Date.now() - (LOGIN_CODE_SECONDS + 1) * 1000);
    expect(await login(expired)).toEqual(failed);
    expect(await login(mintLoginCode('another secret', { sub: 'coach-ann', roles: ['coach'] }))).toEqual(failed);
    const [header, payload, signature] = mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] }).split('.');
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    expect(await login(`${header}.${promoted}.${signature}`)).toEqual(failed);
    expect(await login(service.token(['admin']))).toEqual(failed);
    expect(await login('')).toEqual(failed);
    const noRoles = mintLoginCode(secret(), { sub: 'nobody', roles: [] });
    expect(await login(noRoles)).toEqual(failed);
  });

  test('a login code is no bearer token', async () => {
    const code = mintLoginCode(secret(), { sub: 'coach-ann', roles: ['coach'] });
    expect((await service.request('GET', '/v1/workers', { token: code })).status).toBe(401);
  });

  test('npm run token -- --login prints a link on PUBLIC_URL (else 127.0.0.1:PORT) that this service redeems', async () => {
    const local = mintToken(['--sub', 'coach-ann', '--roles', 'coach', '--login'], { AUTH_JWT_SECRET: secret(), PORT: '4321' });
    expect(local).toMatch(/^http:\/\/127\.0\.0\.1:4321\/login\?code=[A-Za-z0-9_.-]+$/);
    const link = mintToken(['--sub', 'coach-ann', '--roles', 'coach,screener', '--login'], {
      AUTH_JWT_SECRET: secret(),
      PUBLIC_URL: 'https://trajectories.example/',
    });
    expect(link).toMatch(/^https:\/\/trajectories\.example\/login\?code=/);
    const { location, setCookie } = await login(new URL(link).searchParams.get('code')!);
    expect(location).toBe('/');
    const session = await service.request('GET', '/session', { headers: { cookie: setCookie!.split(';')[0] } });
    expect(session.body).toMatchObject({ sub: 'coach-ann', roles: ['screener', 'coach'] });
    expect(() => mintToken(['--sub', 'x', '--roles', 'coach', '--login', '--hours', '2'], { AUTH_JWT_SECRET: secret() })).toThrow(/--hours/);
  });

  test('the API answers a session like a bearer token, with the same scoping', async () => {
    const ann = await browserOf('coach-ann', ['coach']);
    const bob = await browserOf('coach-bob', ['coach']);
    const created = await ann.request('POST', '/v1/workers', { body: { ...registration(), coach: 'coach-ann' } });
    expect(created.status).toBe(201);
    const { workerId } = created.body;
    expect((await ann.request('GET', `/v1/workers/${workerId}`)).body).toMatchObject({ workerId, coach: 'coach-ann' });
    expect((await bob.request('GET', `/v1/workers/${workerId}`)).status).toBe(404);
    const caseload = await ann.request('GET', `/v1/workers?waitFor=${created.body.position}`);
    expect(caseload.body.items.map((w: { workerId: string }) => w.workerId)).toContain(workerId);
    expect((await bob.request('GET', '/v1/workers')).body.items.map((w: { workerId: string }) => w.workerId)).not.toContain(workerId);
    // The worker's timeline names the session's user as the actor.
    const timeline = (await ann.request('GET', `/v1/workers/${workerId}`)).body.timeline;
    expect(timeline[0].actor).toBe('coach-ann');
    // Roles as the session carries them.
    expect((await ann.request('GET', '/v1/statistics/flows?year=2026')).status).toBe(403);
  });

  test('a change under a session needs X-CSRF-Token: 403 without it or with a wrong one, whatever the Origin', async () => {
    const ann = await browserOf('coach-ann', ['coach']);
    const count = async () => (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const before = await count();
    const missing = await ann.request('POST', '/v1/workers', { body: registration(), csrf: null, headers: { origin: service.url } });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ type: '/problems/csrf-token-missing', status: 403 });
    const wrong = await ann.request('POST', '/v1/workers', { body: registration(), csrf: ann.csrfToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    expect(wrong.body).toMatchObject({ type: '/problems/csrf-token-invalid', status: 403 });
    const other = await browserOf('coach-ann', ['coach']);
    expect((await ann.request('POST', '/v1/workers', { body: registration(), csrf: other.csrfToken })).status).toBe(403);
    expect(await count()).toBe(before);
    expect((await ann.request('POST', '/v1/workers', { body: registration() })).status).toBe(201);
    // Reads need none.
    expect((await ann.request('GET', '/v1/workers', { csrf: null })).status).toBe(200);
  });

  test('bearer tokens work unchanged, take precedence over a cookie, and need no CSRF token', async () => {
    const ann = await browserOf('coach-ann', ['coach']);
    const bearer = service.token(['screener'], 'scr-1');
    const created = await service.request('POST', '/v1/workers', { token: bearer, body: registration(), headers: { cookie: ann.cookie } });
    expect(created.status).toBe(201);
    const session = await service.request('GET', '/session', { token: bearer, headers: { cookie: ann.cookie } });
    expect(session.body).toEqual({ sub: 'scr-1', roles: ['screener'], csrfToken: null, expiresAt: expect.any(String), organisation: null });
    // An invalid bearer token is refused even with a live cookie beside it.
    expect((await service.request('GET', '/session', { token: 'not-a-jwt', headers: { cookie: ann.cookie } })).status).toBe(401);
    expect((await service.request('POST', '/logout', { token: bearer })).status).toBe(204);
  });

  test('without a token or a live session: 401', async () => {
    expect((await service.request('GET', '/session')).status).toBe(401);
    const unknown = `${SESSION_COOKIE}=${'A'.repeat(43)}`;
    expect((await service.request('GET', '/session', { headers: { cookie: unknown } })).status).toBe(401);
    expect((await service.request('GET', '/v1/workers', { headers: { cookie: unknown } })).status).toBe(401);
  });

  test('logout ends the session on the server: the old cookie then gets 401 everywhere', async () => {
    const ann = await browserOf('coach-ann', ['coach']);
    const other = await browserOf('coach-ann', ['coach']);
    expect((await ann.request('POST', '/logout', { csrf: null })).status).toBe(403);
    const out = await ann.request('POST', '/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe(`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    expect((await ann.request('GET', '/session')).status).toBe(401);
    expect((await ann.request('GET', '/v1/workers')).status).toBe(401);
    expect((await ann.request('POST', '/v1/workers', { body: registration() })).status).toBe(401);
    expect((await ann.request('POST', '/logout')).status).toBe(401);
    // Only that session: the user's other browser stays logged in.
    expect((await other.request('GET', '/session')).status).toBe(200);
  });

  test('an expired session is refused', async () => {
    const ann = await browserOf('coach-expiring', ['coach']);
    await service.database.db.query("UPDATE browser_sessions SET expires_at = now() - interval '1 second' WHERE sub = 'coach-expiring'");
    expect((await ann.request('GET', '/session')).status).toBe(401);
  });

  test('a session older than AUTH_MAX_TOKEN_HOURS as configured now is refused, though started under a higher one', async () => {
    const ann = await browserOf('coach-before-lowering', ['coach']);
    // Started 13 hours ago, when the maximum was 24: its own expiry is still 11 hours away.
    await service.database.db.query(
      "UPDATE browser_sessions SET created_at = now() - interval '13 hours', expires_at = now() + interval '11 hours' WHERE sub = 'coach-before-lowering'",
    );
    expect(service.web.sessionHours).toBe(12);
    expect((await ann.request('GET', '/session')).status).toBe(401);
    const bob = await browserOf('coach-within', ['coach']);
    await service.database.db.query("UPDATE browser_sessions SET created_at = now() - interval '11 hours' WHERE sub = 'coach-within'");
    const session = await bob.request('GET', '/session');
    expect(session.status).toBe(200);
    // It ends 12 hours after its start, whatever expiry it was given.
    expect(Date.parse(session.body.expiresAt as string)).toBeLessThanOrEqual(Date.now() + 3600_000 + 5_000);
  });

  test('GET /login/options says whether OIDC is configured; without it /login/oidc is a 404', async () => {
    expect((await service.request('GET', '/login/options')).body).toEqual({ oidc: false });
    expect((await service.request('GET', '/login/oidc')).status).toBe(404);
    expect((await service.request('GET', '/login/oidc/callback?code=x&state=y')).status).toBe(404);
  });

  test('GET /session answers any authenticated user, even one without roles', async () => {
    const token = signToken(secret(), { sub: 'x', roles: [] });
    // A valid token without roles is still someone: /session answers for any authenticated user.
    expect((await service.request('GET', '/session', { token })).body).toMatchObject({ sub: 'x', roles: [] });
  });
});
