import { runDemo } from '../../apps/api/src/cli/demo.js';
import { startTestService, type TestService } from '../support/service.js';

/** npm run demo: a sample into an empty store, nothing into one that holds other data, nothing the second time. */
describe('npm run demo (pglite)', () => {
  let empty: TestService;
  let used: TestService;
  beforeAll(async () => {
    empty = await startTestService({ store: 'pglite', directory: false, clock: undefined });
    used = await startTestService({ store: 'pglite' });
  });
  afterAll(async () => {
    await empty?.close();
    await used?.close();
  });

  const envOf = (service: TestService) => ({ AUTH_JWT_SECRET: service.config.jwtSecret!, PORT: new URL(service.url).port, DEMO_WORKERS: '24' });
  // What the demo writes: the directory and the events of people (the background jobs' own events, six-month
  // results and guarantee expiries, come in their own time and are not the demo's).
  const counts = async (service: TestService) =>
    Promise.all(
      ['organisations', 'organisation_members', "events WHERE metadata->>'actor' NOT LIKE 'system:%'"].map(
        async (table) => (await service.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n,
      ),
    );

  test('an empty store gets organisations, members, workers, a publication and login links; a second run changes nothing', async () => {
    let printed = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => ((printed += chunk), true);
    let code: number;
    try {
      code = await runDemo([], envOf(empty));
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    for (const role of ['screener', 'coach', 'org-admin', 'analyst', 'admin']) expect(printed).toMatch(new RegExp(`^${role} .*/login\\?code=`, 'm'));
    const [organisations, members, events] = await counts(empty);
    expect(organisations).toBe(6);
    expect(members).toBeGreaterThanOrEqual(10);
    expect(events).toBeGreaterThan(24 * 3);
    const publications = await empty.request('GET', '/v1/statistics/publications', { roles: ['analyst'] });
    expect(publications.body.items).toHaveLength(1);
    // An org-admin of the sample reaches their organisation's workers.
    const own = await empty.request('GET', '/v1/workers?limit=200', { token: empty.token(['org-admin'], 'ilse') });
    expect(own.body.items.length).toBeGreaterThan(0);

    const before = await counts(empty);
    expect(await runDemo([], envOf(empty))).toBe(0);
    expect(await counts(empty)).toEqual(before);
  }, 300_000);

  test('a store holding other data: exit code 1, nothing changed', async () => {
    const before = await counts(used);
    expect(await runDemo([], envOf(used))).toBe(1);
    expect(await counts(used)).toEqual(before);
  });
});
