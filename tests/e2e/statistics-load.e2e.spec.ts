import { seedTestDirectoryOver, TEST_ENTERPRISE } from '../support/directory.js';
import { signToken, type Role } from '../../apps/api/src/http/auth.js';
import { freshInsz } from '../fixtures/workers.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';

/**
 * Heavy statistics stay off the event loop: ten 50-year series with minCell at once against the
 * built service (npm start, embedded default), while /health keeps answering within a second.
 * Protecting such a series is seconds of CPU; in the request's own thread it held /health for
 * seconds.
 */
describe('ten heavy statistics at once (built service)', () => {
  let service: BuiltService;
  const call = async (method: string, path: string, roles: Role[], body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${signToken(service.secret, { sub: 'tester', roles })}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    service = await startBuiltService();
    // The coach the workers get and their employer are the test directory's.
    await seedTestDirectoryOver(service.url, signToken(service.secret, { sub: 'admin', roles: ['admin'] }));
    // Small numbers in many years and programmes: every year has cells to protect.
    const programmes = ['SW', 'BW', 'LDE', 'INVOEG_DC', 'INVOEG_NDC'];
    for (let i = 0; i < 60; i++) {
      const programme = programmes[i % programmes.length];
      const start = `${1978 + ((i * 7) % 45)}-03-01`;
      const registered = await call('POST', '/v1/workers', ['screener'], {
        insz: freshInsz(),
        coach: 'tester',
        educationLevel: 'low',
        migrationBackground: false,
        disability: false,
        socialAssistance: false,
      });
      const workerId = registered.body.workerId as string;
      await call('POST', `/v1/workers/${workerId}/screenings`, ['screener'], { date: start, advice: 'supported-employment', programme });
      const placed = await call('POST', `/v1/workers/${workerId}/placements`, ['coach'], {
        programme,
        enterpriseId: TEST_ENTERPRISE,
        startDate: start,
        fte: 1,
      });
      expect(placed.status).toBe(201);
      if (i % 3 === 0) await call('POST', `/v1/workers/${workerId}/exits`, ['coach'], { date: `${1979 + ((i * 7) % 45)}-06-30`, reason: 'death' });
    }
  }, 240_000);
  afterAll(() => service?.stop());

  test('/health answers within a second while they run; each answers 200, or 503 statistics-busy with Retry-After', async () => {
    let running = true;
    const heavy = Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${service.url}/v1/statistics/${i % 2 ? 'flows' : 'outflow'}?from=1977&to=2026&minCell=5`, {
          headers: { authorization: `Bearer ${signToken(service.secret, { sub: 'analyst', roles: ['analyst'] })}` },
        }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { type?: string } })),
      ),
    ).finally(() => (running = false));
    const latencies: number[] = [];
    while (running) {
      const started = performance.now();
      const health = await fetch(`${service.url}/health`);
      await health.arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answers = await heavy;
    for (const answer of answers) {
      if (answer.status === 503) expect(answer).toMatchObject({ retryAfter: expect.any(String), body: { type: expect.stringContaining('statistics-busy') } });
      else expect(answer.status).toBe(200);
    }
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(latencies.length).toBeGreaterThan(2);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  }, 300_000);
});
