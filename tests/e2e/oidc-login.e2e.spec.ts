import { SESSION_COOKIE } from '../../apps/api/src/web/session-cookie.js';
import { conformanceOf } from '../support/openapi-conformance.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';
import { freePort } from '../support/ports.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * api.md "The browser": login through the organisation's identity provider. A real OpenID
 * provider (oidc-provider) runs inside the test on its own port; a cookie-keeping client follows
 * the redirects like a browser, and the provider's login and consent are finished
 * programmatically (its interaction API) for the account the test chooses.
 */

/** The provider's users and the roles claim it releases for them (as userinfo, like most providers). */
const ACCOUNTS: Record<string, unknown> = {
  'ann@org.example': ['coach', 'payroll-clerk'],
  'ian@org.example': ['analyst', 'admin'],
  'nobody@org.example': ['payroll-clerk'],
  'claimless@org.example': undefined,
};

/** A browser's cookie jar (by origin: the service and the provider are both on 127.0.0.1) and its redirect following. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  async get(url: string): Promise<{ status: number; location: string | null; headers: Headers }> {
    const origin = new URL(url).origin;
    const cookies = [...(this.jar.get(origin) ?? new Map<string, string>()).entries()].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
    await response.arrayBuffer();
    const jar = this.jar.get(origin) ?? new Map<string, string>();
    this.jar.set(origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    return { status: response.status, location: location === null ? null : new URL(location, url).href, headers: response.headers };
  }

  /** Follows redirects from `url` until an answer is no redirect or lands back on the service's `/`; returns every URL visited. */
  async follow(url: string, stopAt: string): Promise<string[]> {
    const visited = [url];
    let next = url;
    for (let hop = 0; hop < 20; hop += 1) {
      const { status, location } = await this.get(next);
      if (status < 300 || status >= 400 || location === null) return visited;
      visited.push(location);
      if (location.startsWith(`${stopAt}/?`) || location === `${stopAt}/`) return visited;
      next = location;
    }
    throw new Error(`more than 20 redirects: ${visited.join(' → ')}`);
  }
}

describe('login through the identity provider (OIDC, authorization code with PKCE)', () => {
  let idp: IdentityProvider;
  let service: TestService;
  let issuer: string;
  /** who the provider's login interaction logs in next */
  let nextAccount = 'ann@org.example';

  beforeAll(async () => {
    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    idp = await startIdentityProvider({
      serviceUrl,
      nextAccount: () => nextAccount,
      claimsOf: (id) => (ACCOUNTS[id] === undefined ? {} : { roles: ACCOUNTS[id] }),
    });
    issuer = idp.issuer;
    service = await startTestService({ mode: 'api', port: servicePort, env: idp.serviceEnv });
  });

  afterAll(async () => {
    await service?.close();
    await idp?.close();
  });

  const sessionOf = (browser: Browser) => {
    const id = browser.cookie(new URL(service.url).origin, SESSION_COOKIE);
    return service.request('GET', '/session', { headers: id ? { cookie: `${SESSION_COOKIE}=${id}` } : {} });
  };

  test('GET /login/options offers it', async () => {
    expect((await service.request('GET', '/login/options')).body).toEqual({ oidc: true });
  });

  test('/login/oidc sends the browser to the provider with PKCE (S256), state and nonce, and a Lax cookie for the way back', async () => {
    const response = await fetch(`${service.url}/login/oidc`, { redirect: 'manual' });
    (await conformanceOf(service.url)).assert('GET', '/login/oidc', { status: response.status, headers: response.headers, body: await response.text() });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin).toBe(issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: 'trajectory',
      response_type: 'code',
      redirect_uri: `${service.url}/login/oidc/callback`,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.any(String),
      nonce: expect.any(String),
      scope: 'openid profile',
    });
    expect(response.headers.get('set-cookie')).toMatch(/^trajectory_oidc=[A-Za-z0-9_.-]+; Path=\/login\/oidc; HttpOnly; SameSite=Lax; Max-Age=600$/);
  });

  test('a user with roles gets a session with only the roles the service knows, and the API answers it', async () => {
    nextAccount = 'ann@org.example';
    const browser = new Browser();
    const visited = await browser.follow(`${service.url}/login/oidc`, service.url);
    expect(visited[visited.length - 1]).toBe(`${service.url}/`);
    expect(visited.some((url) => url.startsWith(`${issuer}/interaction/`))).toBe(true);
    expect(visited.some((url) => url.startsWith(`${service.url}/login/oidc/callback?`))).toBe(true);
    const session = await sessionOf(browser);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ sub: 'ann@org.example', roles: ['coach'], csrfToken: expect.any(String) });
    const cookie = `${SESSION_COOKIE}=${browser.cookie(new URL(service.url).origin, SESSION_COOKIE)}`;
    expect((await service.request('GET', '/v1/workers', { headers: { cookie } })).status).toBe(200);
    expect((await service.request('GET', '/v1/statistics/flows?year=2026', { headers: { cookie } })).status).toBe(403);
    // The login in progress is over: its cookie is gone.
    expect(browser.cookie(new URL(service.url).origin, 'trajectory_oidc')).toBeUndefined();
  });

  test('several roles come through', async () => {
    nextAccount = 'ian@org.example';
    const browser = new Browser();
    await browser.follow(`${service.url}/login/oidc`, service.url);
    expect((await sessionOf(browser)).body).toMatchObject({ sub: 'ian@org.example', roles: ['analyst', 'admin'] });
  });

  test('a user with none of the roles, or without the claim, is refused: no session', async () => {
    for (const account of ['nobody@org.example', 'claimless@org.example']) {
      nextAccount = account;
      const browser = new Browser();
      const visited = await browser.follow(`${service.url}/login/oidc`, service.url);
      expect([account, visited[visited.length - 1]]).toEqual([account, `${service.url}/?login=failed`]);
      expect(browser.cookie(new URL(service.url).origin, SESSION_COOKIE)).toBeUndefined();
    }
  });

  test('a callback with another state, without the login cookie, or replayed, starts no session', async () => {
    nextAccount = 'ann@org.example';
    const browser = new Browser();
    const start = await browser.get(`${service.url}/login/oidc`);
    // Through the provider up to (not into) the callback.
    let next = start.location!;
    while (!next.startsWith(`${service.url}/login/oidc/callback`)) next = (await browser.get(next)).location!;
    const callback = new URL(next);

    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'another-state');
    const forged = await browser.get(wrongState.href);
    expect(forged.location).toBe(`${service.url}/?login=failed`);

    // The failed attempt cleared the login cookie: the genuine callback cannot finish either.
    expect((await browser.get(callback.href)).location).toBe(`${service.url}/?login=failed`);

    const stranger = new Browser();
    expect((await stranger.get(callback.href)).location).toBe(`${service.url}/?login=failed`);
    expect(browser.cookie(new URL(service.url).origin, SESSION_COOKIE)).toBeUndefined();
  });

  test('an authorization code works once', async () => {
    nextAccount = 'ann@org.example';
    const browser = new Browser();
    const start = await browser.get(`${service.url}/login/oidc`);
    const transaction = browser.cookie(new URL(service.url).origin, 'trajectory_oidc')!;
    let next = start.location!;
    while (!next.startsWith(`${service.url}/login/oidc/callback`)) next = (await browser.get(next)).location!;
    expect((await browser.get(next)).location).toBe(`${service.url}/`);
    const replay = await fetch(next, { redirect: 'manual', headers: { cookie: `trajectory_oidc=${transaction}` } });
    expect(replay.headers.get('location')).toBe('/?login=failed');
  });
});
