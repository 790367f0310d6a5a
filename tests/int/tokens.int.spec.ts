import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { signToken, TokenVerifier, type TokenPolicy } from '../../apps/api/src/http/auth.js';
import { ProblemException } from '../../apps/api/src/http/problem.js';
import { mintToken } from '../../apps/api/src/cli/mint-token.js';
import { loadConfig } from '#platform/config.js';

/**
 * api.md "Hardening": a token without `exp`, or living longer than AUTH_MAX_TOKEN_HOURS, is 401;
 * `iat`/`nbf` more than 60 s ahead too. AUTH_JWKS_URL: RS256/ES256 tokens of an identity
 * provider, checked against a JWKS this test serves itself on 127.0.0.1.
 */
const SECRET = 'a-test-secret-of-enough-length-0123456789';
const secretKey = new TextEncoder().encode(SECRET);
const NOW = Math.floor(Date.now() / 1000);
const policy = (overrides: Partial<TokenPolicy> = {}): TokenPolicy => ({
  maxTokenHours: 12,
  jwksUrl: null,
  issuer: null,
  audience: null,
  rolesClaim: 'roles',
  ...overrides,
});

async function hs256(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', roles: ['coach'], ...claims }).setProtectedHeader({ alg: 'HS256', ...header }).sign(secretKey);
}

/** The status a verification ends in: 200 for an actor, else the problem's status. */
async function outcome(verifier: TokenVerifier, token: string): Promise<number> {
  try {
    await verifier.verify(token);
    return 200;
  } catch (error) {
    if (error instanceof ProblemException) return error.problem.status;
    throw error;
  }
}

describe('HS256 tokens (AUTH_JWT_SECRET)', () => {
  const verifier = new TokenVerifier(SECRET, policy());

  test('a token with sub, roles, iat and exp within 12 hours is accepted', async () => {
    expect(await verifier.verify(await hs256({ iat: NOW, exp: NOW + 12 * 3600 }))).toEqual({ sub: 'alice', roles: ['coach'] });
    expect(await verifier.verify(signToken(SECRET, { sub: 'bob', roles: ['admin', 'analyst'] }))).toEqual({ sub: 'bob', roles: ['analyst', 'admin'] });
  });

  test.each([
    ['no exp', { iat: NOW }],
    ['a lifetime (exp − iat) over 12 hours', { iat: NOW, exp: NOW + 12 * 3600 + 1 }],
    ['no iat and exp more than 12 hours ahead', { exp: NOW + 12 * 3600 + 120 }],
    ['iat more than 60 s ahead', { iat: NOW + 120, exp: NOW + 3600 }],
    ['nbf more than 60 s ahead', { iat: NOW, nbf: NOW + 120, exp: NOW + 3600 }],
    ['exp passed (beyond the 60 s skew)', { iat: NOW - 3600, exp: NOW - 120 }],
    ['exp that is not a number', { iat: NOW, exp: String(NOW + 3600) }],
    ['no sub', { sub: undefined, iat: NOW, exp: NOW + 3600 }],
  ])('%s: 401', async (_, claims) => {
    expect(await outcome(verifier, await hs256(claims as JWTPayload))).toBe(401);
  });

  test('iat and nbf up to 60 s ahead are clock skew, and accepted', async () => {
    expect(await outcome(verifier, await hs256({ iat: NOW + 30, nbf: NOW + 30, exp: NOW + 3600 }))).toBe(200);
  });

  test('without iat, a token expiring within 12 hours is accepted', async () => {
    expect(await outcome(verifier, await hs256({ exp: NOW + 11 * 3600 }))).toBe(200);
  });

  test('AUTH_MAX_TOKEN_HOURS sets the longest lifetime', async () => {
    const strict = new TokenVerifier(SECRET, policy({ maxTokenHours: 1 }));
    expect(await outcome(strict, await hs256({ iat: NOW, exp: NOW + 3600 }))).toBe(200);
    expect(await outcome(strict, await hs256({ iat: NOW, exp: NOW + 3601 }))).toBe(401);
    expect(loadConfig({ AUTH_MAX_TOKEN_HOURS: '2.5' }).authMaxTokenHours).toBe(2.5);
    expect(loadConfig({}).authMaxTokenHours).toBe(12);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_HOURS: '0' })).toThrow(/AUTH_MAX_TOKEN_HOURS/);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_HOURS: 'twelve' })).toThrow(/AUTH_MAX_TOKEN_HOURS/);
  });

  test('another secret, alg none, or RS256 without AUTH_JWKS_URL: 401', async () => {
    const other = await new SignJWT({ sub: 'alice', roles: ['admin'], iat: NOW, exp: NOW + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    expect(await outcome(verifier, other)).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', roles: ['admin'], exp: NOW + 60 })).toString('base64url')}.`;
    expect(await outcome(verifier, none)).toBe(401);
    const { privateKey } = await generateKeyPair('RS256');
    expect(await outcome(verifier, await new SignJWT({ sub: 'alice', exp: NOW + 60 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey))).toBe(401);
    expect(await outcome(verifier, 'not.a.jwt')).toBe(401);
  });

  test('npm run token mints tokens the service accepts, and no longer than AUTH_MAX_TOKEN_HOURS', async () => {
    const env = { AUTH_JWT_SECRET: SECRET, INSZ_HASH_KEY: 'k' };
    const token = mintToken(['--sub', 'carol', '--roles', 'screener'], env);
    expect(await verifier.verify(token)).toEqual({ sub: 'carol', roles: ['screener'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(12 * 3600);
    expect(() => mintToken(['--sub', 'carol', '--roles', 'screener', '--hours', '13'], env)).toThrow(/at most 12/);
    expect(() => mintToken(['--sub', 'carol', '--roles', 'screener', '--hours', '2'], { ...env, AUTH_MAX_TOKEN_HOURS: '1' })).toThrow(/at most 1/);
  });
});

describe('tokens of an identity provider (AUTH_JWKS_URL)', () => {
  let server: Server;
  let jwksUrl: string;
  let rsa: CryptoKey;
  let ec: CryptoKey;
  let stranger: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair('RS256', { extractable: true });
    const ecPair = await generateKeyPair('ES256', { extractable: true });
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    stranger = (await generateKeyPair('RS256')).privateKey;
    const keys: JWK[] = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const idp = (key: CryptoKey, alg: 'RS256' | 'ES256', kid: string, claims: JWTPayload) =>
    new SignJWT({ sub: 'dana', roles: ['analyst'], iat: NOW, exp: NOW + 3600, ...claims }).setProtectedHeader({ alg, kid }).sign(key);

  test('RS256 and ES256 tokens signed with the JWKS keys are accepted; HS256 keeps working', async () => {
    const verifier = new TokenVerifier(SECRET, policy({ jwksUrl }));
    expect(await verifier.verify(await idp(rsa, 'RS256', 'rsa-1', {}))).toEqual({ sub: 'dana', roles: ['analyst'] });
    expect(await verifier.verify(await idp(ec, 'ES256', 'ec-1', {}))).toEqual({ sub: 'dana', roles: ['analyst'] });
    expect(await verifier.verify(await hs256({ iat: NOW, exp: NOW + 60 }))).toEqual({ sub: 'alice', roles: ['coach'] });
    expect(fetches).toBeGreaterThan(0);
  });

  test('a key not in the JWKS, a missing exp, a long lifetime or a future iat: 401', async () => {
    const verifier = new TokenVerifier(SECRET, policy({ jwksUrl }));
    expect(await outcome(verifier, await idp(stranger, 'RS256', 'rsa-1', {}))).toBe(401);
    expect(await outcome(verifier, await idp(stranger, 'RS256', 'unknown', {}))).toBe(401);
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', { exp: undefined }))).toBe(401);
    expect(await outcome(verifier, await idp(ec, 'ES256', 'ec-1', { exp: NOW + 13 * 3600 }))).toBe(401);
    expect(await outcome(verifier, await idp(ec, 'ES256', 'ec-1', { iat: NOW + 600, exp: NOW + 3600 }))).toBe(401);
  });

  test('an HS256 token signed with a JWKS public key as its secret is refused (no algorithm confusion)', async () => {
    const verifier = new TokenVerifier(SECRET, policy({ jwksUrl }));
    const publicJwk = JSON.stringify(((await fetch(jwksUrl).then((r) => r.json())) as { keys: JWK[] }).keys[0]);
    const forged = await new SignJWT({ sub: 'eve', roles: ['admin'], iat: NOW, exp: NOW + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(new TextEncoder().encode(publicJwk));
    expect(await outcome(verifier, forged)).toBe(401);
  });

  test('AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE, when set, must match', async () => {
    const verifier = new TokenVerifier(SECRET, policy({ jwksUrl, issuer: 'https://idp.example', audience: 'trajectory' }));
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', { iss: 'https://idp.example', aud: 'trajectory' }))).toBe(200);
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', { iss: 'https://other.example', aud: 'trajectory' }))).toBe(401);
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', { iss: 'https://idp.example', aud: 'another-app' }))).toBe(401);
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', {}))).toBe(401);
  });

  test('roles from the claim OIDC_ROLES_CLAIM names, by name or dotted path; unknown roles dropped', async () => {
    const nested = new TokenVerifier(SECRET, policy({ jwksUrl, rolesClaim: 'realm_access.roles' }));
    expect(await nested.verify(await idp(rsa, 'RS256', 'rsa-1', { roles: undefined, realm_access: { roles: ['coach', 'offline_access'] } }))).toEqual({
      sub: 'dana',
      roles: ['coach'],
    });
    const namespaced = new TokenVerifier(SECRET, policy({ jwksUrl, rolesClaim: 'https://trajectory.example/roles' }));
    expect(await namespaced.verify(await idp(rsa, 'RS256', 'rsa-1', { 'https://trajectory.example/roles': ['admin'] }))).toEqual({
      sub: 'dana',
      roles: ['admin'],
    });
  });

  test('an unreachable JWKS is 503 (the service cannot check), not 401', async () => {
    const verifier = new TokenVerifier(SECRET, policy({ jwksUrl: 'http://127.0.0.1:1/jwks.json' }));
    expect(await outcome(verifier, await idp(rsa, 'RS256', 'rsa-1', {}))).toBe(503);
  });
});
