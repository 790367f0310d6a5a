import { MAX_FAILED_AUTHENTICATIONS } from '../../apps/api/src/http/failed-authentications.js';
import { conformanceOf } from '../support/openapi-conformance.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * api.md third round, "Bounded work per request": past 100 failed authentications within a minute
 * from one address, bad login links and bad tokens alike, its further attempts are 429 with
 * Retry-After; requests that authenticate are not limited. A service of its own: the counter is
 * per process and would refuse other suites' deliberate 401s.
 */
describe('failed authentications are limited per address', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  test('bad login links and bad tokens share the count; past it 429 with Retry-After, valid tokens still pass', async () => {
    const conformance = await conformanceOf(service.url);
    const badLink = async () => {
      const response = await fetch(`${service.url}/login?code=forged`, { redirect: 'manual' });
      const text = await response.text();
      const answer = { status: response.status, headers: response.headers, body: response.status === 303 ? text : (JSON.parse(text) as unknown) };
      conformance.assert('GET', '/login?code=forged', answer);
      return answer;
    };
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILED_AUTHENTICATIONS / 2; i++) statuses.push((await badLink()).status);
    for (let i = 0; i < MAX_FAILED_AUTHENTICATIONS / 2; i++) statuses.push((await service.request('GET', '/v1/follow-ups', { token: 'forged' })).status);
    expect(statuses).toEqual([...Array(MAX_FAILED_AUTHENTICATIONS / 2).fill(303), ...Array(MAX_FAILED_AUTHENTICATIONS / 2).fill(401)]);

    const link = await badLink();
    expect(link.status).toBe(429);
    expect(Number(link.headers.get('retry-after'))).toBeGreaterThan(0);
    const token = await service.request('GET', '/v1/follow-ups', { token: 'forged' });
    expect(token.status).toBe(429);
    expect(token.body).toMatchObject({ status: 429, type: expect.stringContaining('too-many-failed-authentications') });
    expect(Number(token.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Without TRUST_PROXY a client cannot pass for another address.
    expect((await service.request('GET', '/v1/follow-ups', { token: 'forged', headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(429);

    expect((await service.request('GET', '/v1/follow-ups', { roles: ['coach'] })).status).toBe(200);
    expect((await service.request('GET', '/health')).status).toBe(200);
  });
});
