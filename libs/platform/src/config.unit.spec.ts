import { ConfigError, DEFAULT_MAX_TOKEN_HOURS, loadConfig, validateEnvironment } from './config.js';

describe('configuration from the environment', () => {
  test('the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: null,
      databaseSchema: null,
      databasePoolSize: 20,
      projectionBatchSize: 2000,
      kurrentDbUrl: null,
      kurrentDbStreamPrefix: 'worker-',
      eventStoreDeadlineMs: 10_000,
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'trajectory',
      jwtSecret: null,
      inszHashKey: null,
      personalDataKek: null,
      personalDataKekPrevious: null,
      auditSigningKey: null,
      auditAnchorsPath: null,
      auditVerifyIntervalMinutes: 60,
      authMaxTokenHours: DEFAULT_MAX_TOKEN_HOURS,
      authJwksUrl: null,
      authJwtIssuer: null,
      authJwtAudience: null,
      authRolesClaim: 'roles',
      policy: { returnGuaranteeMonths: 12, followUpDelayMonths: 6 },
      followUpConcurrency: 128,
      logLevel: 'info',
      mode: 'all',
      workerHealthPort: 3001,
      trustProxy: false,
    });
  });

  test("TRUST_PROXY: nobody's X-Forwarded-* by default; a hop count, or addresses and CIDRs; nothing else", () => {
    expect(loadConfig({ TRUST_PROXY: ' ' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1,fd00::/8' }).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '10.0.0.1,', '::1/129', '1.2.3.4/8/8', '-1'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY must be/);
  });

  test('set variables are read, converted and trimmed; blank ones count as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: ' 0.0.0.0 ',
      DATABASE_URL: 'postgres://root@db:5432/test',
      EVENT_STORE_DEADLINE_MS: '2500',
      KURRENTDB_STREAM_PREFIX: 'trajectory-worker-',
      AUTH_MAX_TOKEN_HOURS: '2.5',
      AUTH_JWKS_URL: 'https://idp.example/jwks',
      FOLLOW_UP_CONCURRENCY: '',
      QUEUE_PREFIX: '   ',
      LOG_LEVEL: 'warn',
      MODE: 'api',
      WORKER_HEALTH_PORT: '4001',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://root@db:5432/test',
      eventStoreDeadlineMs: 2500,
      kurrentDbStreamPrefix: 'trajectory-worker-',
      authMaxTokenHours: 2.5,
      authJwksUrl: 'https://idp.example/jwks',
      followUpConcurrency: 128,
      queuePrefix: 'trajectory',
      logLevel: 'warn',
      mode: 'api',
      workerHealthPort: 4001,
    });
  });

  test('the mode given by the caller (--mode=) wins over MODE', () => {
    expect(loadConfig({ MODE: 'api' }, 'worker').mode).toBe('worker');
  });

  test('variables the schema does not know are ignored', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', NODE_OPTIONS: '--max-old-space-size=1' })).not.toThrow();
  });

  test.each([
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535, got "65536"'],
    [{ PORT: '80.5' }, 'PORT must be a whole number from 0 to 65535, got "80.5"'],
    [{ EVENT_STORE_DEADLINE_MS: '0' }, 'EVENT_STORE_DEADLINE_MS must be a whole number from 100 to 600000, got "0"'],
    [{ EVENT_STORE_DEADLINE_MS: 'soon' }, 'EVENT_STORE_DEADLINE_MS must be a whole number from 100 to 600000, got "soon"'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be a whole number from 1 to 500'],
    [{ FOLLOW_UP_CONCURRENCY: '1000' }, 'FOLLOW_UP_CONCURRENCY must be a whole number from 1 to 256'],
    [{ RETURN_GUARANTEE_MONTHS: 'twelve' }, 'RETURN_GUARANTEE_MONTHS must be a whole number from 1 to 120'],
    [{ KURRENTDB_STREAM_PREFIX: '$ce-' }, 'KURRENTDB_STREAM_PREFIX must not start with $'],
    [{ KURRENTDB_STREAM_PREFIX: ' worker-' }, 'KURRENTDB_STREAM_PREFIX must not start with $ or have surrounding spaces, got " worker-"'],
    [{ AUTH_MAX_TOKEN_HOURS: '0' }, 'AUTH_MAX_TOKEN_HOURS must be a number of hours above 0'],
    [{ AUTH_MAX_TOKEN_HOURS: 'twelve' }, 'AUTH_MAX_TOKEN_HOURS must be a number of hours above 0'],
    [{ AUTH_MAX_TOKEN_HOURS: '9000' }, 'AUTH_MAX_TOKEN_HOURS must be a number of hours above 0 (at most 8760)'],
    [{ AUTH_JWKS_URL: 'idp.example/jwks' }, 'AUTH_JWKS_URL must be an http(s) URL, got "idp.example/jwks"'],
    [{ AUTH_JWKS_URL: 'ftp://idp.example/jwks' }, 'AUTH_JWKS_URL must be an http(s) URL'],
    [{ DATABASE_URL: 'mysql://db/test' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ REDIS_URL: '127.0.0.1:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of silent, fatal, error, warn, info, debug, trace, got "verbose"'],
    [{ MODE: 'both' }, 'MODE must be one of all, api, worker, got "both"'],
    [{ WORKER_HEALTH_PORT: 'x' }, 'WORKER_HEALTH_PORT must be a whole number from 0 to 65535'],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('every bad variable is named in one error, not only the first', () => {
    const bad = { PORT: 'eighty', LOG_LEVEL: 'loud', AUTH_JWKS_URL: 'nowhere', FOLLOW_UP_DELAY_MONTHS: '0', DATA_DIR: '/srv/data' };
    let error: unknown;
    try {
      validateEnvironment(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(' ')[0]);
    expect(lines.sort()).toEqual(['AUTH_JWKS_URL', 'FOLLOW_UP_DELAY_MONTHS', 'LOG_LEVEL', 'PORT']);
  });

  test("the validated variables are typed values (what Nest's ConfigService holds)", () => {
    const variables = validateEnvironment({ PORT: '8080', FOLLOW_UP_CONCURRENCY: '4' });
    expect([variables.PORT, variables.FOLLOW_UP_CONCURRENCY, variables.LOG_LEVEL]).toEqual([8080, 4, 'info']);
  });
});
