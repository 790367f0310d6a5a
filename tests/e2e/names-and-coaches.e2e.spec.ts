import { aRegisteredWorker, freshInsz, registration } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * api.md third round, "Names are visible text": a given or family name holds a letter and no
 * bidirectional control; coach subs beginning with `system:` are reserved, wherever a coach is
 * named. Each refusal is a 400 naming the field, and writes nothing.
 */
describe('names are visible text; system: subs are no coaches', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ mode: 'api' });
  });
  afterAll(async () => {
    await service.close();
  });

  const register = (body: Record<string, unknown>) =>
    service.request('POST', '/v1/workers', { roles: ['screener'], body: { ...registration(freshInsz()), ...body } });

  test.each([
    ['givenName', '\u200b\u200b', 'must contain a letter'],
    ['familyName', '\u3000', 'must contain a letter'],
    ['givenName', '   ', 'must contain a letter'],
    ['familyName', '1234', 'must contain a letter'],
    ['givenName', 'Jan\u202eneeteP', 'bidirectional'],
    ['familyName', '\u2067Peeters\u2069', 'bidirectional'],
    ['givenName', 'An\u200fna', 'bidirectional'],
  ])('%s %j is 400', async (field, value, message) => {
    const answer = await register({ [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field, code: expect.any(String), message: expect.stringContaining(message) }]);
  });

  test('names in any script, with marks, hyphens and apostrophes, pass', async () => {
    for (const [givenName, familyName] of [
      ['Jean-Luc', "D'Hondt"],
      ['Zoë', 'Van den Broeck'],
      ['محمد', 'العلوي'],
      ['Ελένη', '李'],
      ['e\u0301mile', 'Çelik'],
    ])
      expect([givenName, (await register({ givenName, familyName })).status]).toEqual([givenName, 201]);
  });

  test('a coach sub beginning with system: is 400 at registration and in a coach assignment', async () => {
    const registered = await register({ coach: 'system:follow-up-check' });
    expect(registered.status).toBe(400);
    expect(registered.body.errors).toEqual([{ field: 'coach', code: expect.any(String), message: expect.stringContaining('system:') }]);
    const workerId = await aRegisteredWorker(service);
    for (const coach of ['system:follow-up-check', 'system:']) {
      const assigned = await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { roles: ['screener'], body: { coach } });
      expect([coach, assigned.status]).toEqual([coach, 400]);
      expect(assigned.body.errors).toEqual([{ field: 'coach', code: expect.any(String), message: expect.stringContaining('reserved') }]);
    }
    const worker = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['screener'] });
    expect(worker.body.coach).not.toMatch(/^system:/);
    // A sub that merely begins like it is an ordinary coach (once the directory knows them).
    const ordinary = await service.newCoach('a', 'systems-coach');
    expect((await service.request('POST', `/v1/workers/${workerId}/coach-assignments`, { roles: ['screener'], body: { coach: ordinary } })).status).toBe(201);
  });
});
