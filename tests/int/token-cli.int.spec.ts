import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { mintToken, USAGE } from '../../apps/api/src/cli/mint-token.js';
import { resolveSecrets } from '#platform/secrets.js';
import { loadConfig } from '#platform/config.js';

describe('npm run token', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage for --help', () => {
    expect(mintToken(['--help'], {})).toBe(USAGE);
    expect(USAGE).toContain('--sub');
    expect(USAGE).toMatch(/--login +print a one-time login link/);
  });

  it('refuses, naming the path, when the data folder has no secrets file, and creates none', () => {
    const dataDir = join(dir, 'elsewhere');
    expect(() => mintToken(['--sub', 'alice', '--roles', 'coach'], { DATA_DIR: dataDir })).toThrow(/no secrets file at .*elsewhere.*secrets\.json/);
    expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false);
  });

  it('signs with the secret the service generated in its data folder', () => {
    const service = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    const token = mintToken(['--sub', 'alice', '--roles', 'coach,screener'], { DATA_DIR: dir });
    const claims = new JwtService({ secret: service.jwtSecret }).verify<{ sub: string; roles: string[] }>(token);
    expect(claims).toMatchObject({ sub: 'alice', roles: ['coach', 'screener'] });
  });

  it('signs with AUTH_JWT_SECRET when it is set, without any file', () => {
    const token = mintToken(['--sub', 'bob', '--roles', 'admin'], { DATA_DIR: join(dir, 'none'), AUTH_JWT_SECRET: 'from-the-environment' });
    expect(new JwtService({ secret: 'from-the-environment' }).verify<{ sub: string }>(token).sub).toBe('bob');
  });
});

describe('the secrets of the embedded default', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names only the variable that comes from the file', () => {
    const resolved = resolveSecrets(loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: 'set' }));
    expect(resolved.fromFile).toEqual(['INSZ_HASH_KEY', 'PERSONAL_DATA_KEK', 'AUDIT_SIGNING_KEY']);
    expect(resolved.jwtSecret).toBe('set');
    expect(resolveSecrets(loadConfig({ DATA_DIR: dir })).inszHashKey).toBe(resolved.inszHashKey);
  });

  it('are required, by name, with a shared database', () => {
    const keys = { PERSONAL_DATA_KEK: randomBytes(32).toString('base64'), AUDIT_SIGNING_KEY: randomBytes(32).toString('base64') };
    expect(() => resolveSecrets(loadConfig({ DATABASE_URL: 'postgres://x', INSZ_HASH_KEY: 'k', ...keys }))).toThrow(/^AUTH_JWT_SECRET must be set/);
    // The key-encryption key never comes from a file beside a shared database.
    expect(() => resolveSecrets(loadConfig({ DATABASE_URL: 'postgres://x', INSZ_HASH_KEY: 'k', AUTH_JWT_SECRET: 's' }))).toThrow(
      /^PERSONAL_DATA_KEK and AUDIT_SIGNING_KEY must be set/,
    );
    expect(() => loadConfig({ PERSONAL_DATA_KEK: 'c2hvcnQ=' })).toThrow(/PERSONAL_DATA_KEK must be 32 bytes in base64/);
  });
});
