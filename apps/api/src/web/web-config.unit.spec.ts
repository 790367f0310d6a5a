import { resolve } from 'node:path';
import { browserBaseUrl, loadWebConfig } from './web-config.js';

const OIDC = { OIDC_ISSUER_URL: 'https://idp.example/realms/org', OIDC_CLIENT_ID: 'trajectory', OIDC_CLIENT_SECRET: 's3cret' };

describe('loadWebConfig', () => {
  test('defaults: no PUBLIC_URL, dist/web, 12-hour sessions, no OIDC', () => {
    expect(loadWebConfig({})).toEqual({ publicUrl: null, webRoot: resolve('dist/web'), sessionHours: 12, oidc: null });
    expect(browserBaseUrl(loadWebConfig({}), {})).toBe('http://127.0.0.1:3000');
    expect(browserBaseUrl(loadWebConfig({}), { PORT: '8080' })).toBe('http://127.0.0.1:8080');
  });

  test('PUBLIC_URL is a base without a trailing slash; the OIDC redirect URI hangs off it', () => {
    const config = loadWebConfig({ PUBLIC_URL: 'https://trajectories.example/app/', ...OIDC, OIDC_ROLES_CLAIM: 'realm_access.roles' });
    expect(config.publicUrl).toBe('https://trajectories.example/app');
    expect(config.oidc).toEqual({
      issuerUrl: 'https://idp.example/realms/org',
      clientId: 'trajectory',
      clientSecret: 's3cret',
      rolesClaim: 'realm_access.roles',
      scopes: 'openid profile',
      redirectUri: 'https://trajectories.example/app/login/oidc/callback',
    });
  });

  test('bad values are refused, naming the variable', () => {
    expect(() => loadWebConfig({ PUBLIC_URL: 'trajectories.example' })).toThrow(/^PUBLIC_URL must be a URL/);
    expect(() => loadWebConfig({ PUBLIC_URL: 'ftp://x.example' })).toThrow(/^PUBLIC_URL must be an http\(s\) URL/);
    expect(() => loadWebConfig({ PUBLIC_URL: 'https://x.example/?a=1' })).toThrow(/^PUBLIC_URL must not have a query/);
    expect(() => loadWebConfig({ AUTH_MAX_TOKEN_HOURS: 'twelve' })).toThrow(/^AUTH_MAX_TOKEN_HOURS must be a number of hours/);
    expect(() => loadWebConfig({ PUBLIC_URL: 'https://x.example', OIDC_ISSUER_URL: OIDC.OIDC_ISSUER_URL })).toThrow(
      /needs OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET together; missing OIDC_CLIENT_ID, OIDC_CLIENT_SECRET/,
    );
    expect(() => loadWebConfig(OIDC)).toThrow(/OIDC login needs PUBLIC_URL/);
    expect(() => loadWebConfig({ PUBLIC_URL: 'https://x.example', ...OIDC, OIDC_SCOPES: 'profile email' })).toThrow(/^OIDC_SCOPES must include openid/);
  });
});
