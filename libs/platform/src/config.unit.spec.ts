import { ConfigError, loadConfig } from './config.js';

describe('event-store configuration', () => {
  test("defaults: a 10 s deadline, and the service's own stream naming as the KurrentDB prefix", () => {
    const config = loadConfig({});
    expect(config.eventStoreDeadlineMs).toBe(10_000);
    expect(config.kurrentDbStreamPrefix).toBe('worker-');
  });

  test('EVENT_STORE_DEADLINE_MS and KURRENTDB_STREAM_PREFIX are read', () => {
    const config = loadConfig({ EVENT_STORE_DEADLINE_MS: '2500', KURRENTDB_STREAM_PREFIX: 'trajectory-worker-' });
    expect(config.eventStoreDeadlineMs).toBe(2500);
    expect(config.kurrentDbStreamPrefix).toBe('trajectory-worker-');
  });

  test.each([
    [{ EVENT_STORE_DEADLINE_MS: '0' }, /EVENT_STORE_DEADLINE_MS must be a whole number from 100/],
    [{ EVENT_STORE_DEADLINE_MS: 'soon' }, /EVENT_STORE_DEADLINE_MS/],
    [{ KURRENTDB_STREAM_PREFIX: '$ce-' }, /KURRENTDB_STREAM_PREFIX must not start with \$/],
    [{ KURRENTDB_STREAM_PREFIX: ' worker-' }, /KURRENTDB_STREAM_PREFIX/],
  ])('%j is refused', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
