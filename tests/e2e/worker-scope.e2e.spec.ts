import { randomUUID } from 'node:crypto';
import { parseRouteTree } from '../support/built-service.js';
import { seedTwoOrganisations } from '../support/access.js';
import { startTestService, type TestService } from '../support/service.js';
import { aRegisteredWorker, aWorkerAfterDoorstroom, freshInsz, registration } from '../fixtures/workers.js';
import type { Role } from '../../apps/api/src/http/auth.js';
import { eventually } from '../support/eventually.js';
import { EVENT_STORE } from '#platform/tokens.js';
import type { EventStore } from '#event-store/event-store.js';
import { ProjectionProgress } from '#projections/projection-runner.js';

/**
 * Scoping in one place (api.md third round, "Privacy by construction"): every route that names a
 * worker answers a caller out of reach exactly as it answers an unknown worker, whatever the
 * method, path or body, and writes nothing. The sweep is built from the router's own table, so a
 * route added under /v1/workers/:id is swept without anyone listing it. Two organisations: the
 * worker's coach `tester` and org-admin `admin-a` in A; coach `bob` and org-admin `admin-b` in B.
 */

interface Answer {
  status: number;
  body: unknown;
}

const OUTSIDERS: { sub: string; roles: Role[] }[] = [
  { sub: 'bob', roles: ['coach'] },
  { sub: 'admin-b', roles: ['org-admin'] },
];

describe('a worker out of reach is an unknown worker, on every route that names one', () => {
  let service: TestService;
  let workerId: string;
  let exitVersion: number;

  const streamVersion = async () =>
    (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`worker-${workerId}`])).rows[0].n;

  beforeAll(async () => {
    service = await startTestService();
    await seedTwoOrganisations(service.database.db);
    ({ workerId } = await aWorkerAfterDoorstroom(service));
    // The exit lies in the past: its six-month check and the guarantee's expiry run at once. Once
    // they have, nothing but the requests below writes to the worker.
    await eventually(streamVersion, (n) => n === 7);
    const view = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
    exitVersion = view.body.timeline.find((e: { type: string }) => e.type === 'WorkerExited').version;
  }, 60_000);
  afterAll(() => service.close());

  /** A request sent as is (HEAD, malformed bodies), its answer not held to the OpenAPI document. */
  async function send(method: string, path: string, sub: string, roles: Role[], body?: string): Promise<Answer> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${service.token(roles, sub)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  }

  const projectionsBehind = async () => {
    const lag = await new ProjectionProgress(service.database.db, service.app.get<typeof EVENT_STORE, EventStore>(EVENT_STORE)).lag();
    return Math.max(0, ...lag.values());
  };
  const auditEntries = async () => (await service.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;

  /** The router's table: every method of every route under /v1/workers/:<param>. */
  const workerRoutes = () =>
    parseRouteTree(service.app.getHttpAdapter().getInstance().printRoutes()).filter((route) => /^\/v1\/workers\/:[^/]+(\/|$)/.test(route.path));

  /** What an answer may differ in between an outsider and an unknown worker: the id in `detail`. */
  const comparable = ({ status, body }: Answer, id: string) => {
    if (typeof body !== 'object' || body === null) return { status, body };
    const { type, title, detail } = body as Record<string, unknown>;
    return { status, type, title, detail: typeof detail === 'string' ? detail.replaceAll(id, '<id>') : detail };
  };

  test('the hole of issue 19: a coach of another caseload retracting an exit gets 404, and nothing is withdrawn', async () => {
    const before = await streamVersion();
    const body = JSON.stringify({ version: exitVersion, reason: 'mistake' });
    const foreign = await send('POST', `/v1/workers/${workerId}/retractions`, 'bob', ['coach'], body);
    const unknownId = randomUUID();
    const unknown = await send('POST', `/v1/workers/${unknownId}/retractions`, 'bob', ['coach'], body);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ type: expect.stringContaining('worker-not-found'), title: 'Unknown worker' });
    expect(comparable(foreign, workerId)).toEqual(comparable(unknown, unknownId));
    // Nor does a screener's step or a stale version tell an outsider that the worker exists.
    for (const version of [1, 2, 99]) {
      const probe = await send('POST', `/v1/workers/${workerId}/retractions`, 'bob', ['coach'], JSON.stringify({ version, reason: 'x' }));
      expect(comparable(probe, workerId)).toEqual(comparable(unknown, unknownId));
    }
    expect(await streamVersion()).toBe(before);
    const view = await service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
    expect(view.body.placements[0].exit).not.toBeNull();
  });

  test('the sweep: every method of every worker route, as an out-of-scope coach and an out-of-organisation org-admin, answers as for an unknown worker and writes nothing', async () => {
    const routes = workerRoutes();
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /v1/workers/:id',
        'HEAD /v1/workers/:id',
        'POST /v1/workers/:id/retractions',
        'POST /v1/workers/:id/coach-assignments',
        'DELETE /v1/workers/:id/personal-data',
      ]),
    );
    // The audit trail of the steps so far is a projection: counted once it holds the log's head.
    await eventually(projectionsBehind, (behind) => behind === 0);
    const versionBefore = await streamVersion();
    const auditBefore = await auditEntries();
    const failures: string[] = [];
    let requests = 0;
    for (const { method, path } of routes) {
      const bodies = ['GET', 'HEAD', 'DELETE'].includes(method)
        ? [undefined]
        : [
            '{}',
            'not json',
            '[0,0,0]',
            // bodies the handlers accept: retractions naming each kind of version (a step of the
            // outsider's role or not, the latest or not, none), a coach, a POP, an exit
            ...[1, 2, exitVersion, 99].map((version) => JSON.stringify({ version, reason: 'x' })),
            JSON.stringify({ coach: 'bob' }),
            JSON.stringify({ date: '2011-07-01', goals: ['g'] }),
            JSON.stringify({ date: '2011-07-01', reason: 'resignation' }),
          ];
      for (const { sub, roles } of OUTSIDERS) {
        for (const body of bodies) {
          const unknownId = randomUUID();
          const at = (id: string) => path.replace(/^\/v1\/workers\/:[^/]+/, `/v1/workers/${id}`).replace(/:[^/]+/g, randomUUID());
          const foreign = await send(method, at(workerId), sub, roles, body);
          const unknown = await send(method, at(unknownId), sub, roles, body);
          requests += 2;
          if (JSON.stringify(comparable(foreign, workerId)) !== JSON.stringify(comparable(unknown, unknownId))) {
            failures.push(`${method} ${path} as ${sub} with ${body ?? 'no body'}: ${JSON.stringify(foreign)} ≠ unknown ${JSON.stringify(unknown)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(40);
    expect(await streamVersion()).toBe(versionBefore);
    expect(await auditEntries()).toBe(auditBefore);
  }, 120_000);

  test("an org-admin reads and commands their organisation's workers; the worker's own coach still does", async () => {
    expect((await send('GET', `/v1/workers/${workerId}`, 'admin-a', ['org-admin'])).status).toBe(200);
    expect((await send('GET', `/v1/workers/${workerId}`, 'tester', ['coach'])).status).toBe(200);
    const pop = JSON.stringify({ date: '2011-07-01', goals: ['werk zoeken'] });
    expect((await send('POST', `/v1/workers/${workerId}/pops`, 'admin-a', ['org-admin'], pop)).status).toBe(201);
  });

  test('lists hold only the workers within reach: the caseload, the six-month checks, the return guarantees', async () => {
    const listed = async (path: string, sub: string, roles: Role[]) =>
      ((await service.request('GET', path, { token: service.token(roles, sub) })).body.items as { workerId: string }[]).map((i) => i.workerId);
    for (const path of ['/v1/workers', '/v1/follow-ups', '/v1/return-guarantees']) {
      const ours = await eventually(
        () => listed(path, 'admin-a', ['org-admin']),
        (ids) => ids.includes(workerId),
      );
      expect([path, ours]).toEqual([path, expect.arrayContaining([workerId])]);
      expect([path, await listed(path, 'tester', ['coach'])]).toEqual([path, expect.arrayContaining([workerId])]);
      for (const { sub, roles } of OUTSIDERS) expect([path, sub, await listed(path, sub, roles)]).toEqual([path, sub, []]);
    }
  });

  test("a GET reads the worker's stream once, also in a process that has not seen the worker: the handler starts from the scope hook's read", async () => {
    await service.restart();
    const store = service.app.get<typeof EVENT_STORE, EventStore>(EVENT_STORE);
    const readStream = store.readStream.bind(store);
    const reads: string[] = [];
    store.readStream = (streamId) => (reads.push(streamId), readStream(streamId));
    try {
      const readsOf = async (sub: string, roles: Role[]) => {
        reads.length = 0;
        const answer = await send('GET', `/v1/workers/${workerId}`, sub, roles);
        return { status: answer.status, reads: reads.filter((id) => id === `worker-${workerId}`).length };
      };
      // Cold: the hook reads to decide reach, the handler answers from that read.
      expect(await readsOf('tester', ['coach'])).toEqual({ status: 200, reads: 1 });
      // Remembered as the caller's: the hook lets it through unread, the handler reads.
      expect(await readsOf('tester', ['coach'])).toEqual({ status: 200, reads: 1 });
      // Out of reach: one read, to decide, and the answer of an unknown worker.
      expect(await readsOf('bob', ['coach'])).toEqual({ status: 404, reads: 1 });
    } finally {
      store.readStream = readStream;
    }
  });

  test('a registration refused as worker-already-registered is audited as a lookup by its caller; an outsider learns no worker id', async () => {
    const insz = freshInsz();
    const existing = await aRegisteredWorker(service, insz);
    const lookups = async () =>
      (
        await service.database.db.query<{ actor: string; worker_id: string }>(
          "SELECT actor, worker_id FROM audit_log WHERE action = 'lookup' AND worker_id = $1 ORDER BY seq",
          [existing],
        )
      ).rows;
    expect(await lookups()).toEqual([]);
    const outsider = await service.request('POST', '/v1/workers', { token: service.token(['coach'], 'bob'), body: { ...registration(insz), coach: 'bob' } });
    expect(outsider.status).toBe(409);
    expect(outsider.body.rule).toBe('worker-already-registered');
    expect(outsider.body.workerId).toBeUndefined();
    const screener = await service.request('POST', '/v1/workers', { token: service.token(['screener'], 'sara'), body: registration(insz) });
    expect(screener.body).toMatchObject({ rule: 'worker-already-registered', workerId: existing });
    expect(await lookups()).toEqual([
      { actor: 'bob', worker_id: existing },
      { actor: 'sara', worker_id: existing },
    ]);
  });
});
