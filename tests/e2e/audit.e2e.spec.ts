import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyAuditChain } from '#audit/audit-log.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

const run = promisify(execFile);
const secretsOf = (service: TestService) => JSON.parse(readFileSync(join(service.config.dataDir, 'secrets.json'), 'utf8')) as { auditSigningKey: string };
const HASH = /^[0-9a-f]{64}$/;

/** GET /v1/audit and the hash chain behind it. */
describe.each(['pglite', 'postgres'] as const)('audit trail (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service.close();
  });

  const as = (sub: string, ...roles: ('screener' | 'coach' | 'admin' | 'analyst')[]) => service.token(roles, sub);
  const audit = (query = '') => service.request('GET', `/v1/audit${query}`, { token: as('adm', 'admin') });

  test('before the first anchor: an empty trail verifies, anchoredAt null; admins only', async () => {
    const verification = await service.request('GET', '/v1/audit/verification', { token: as('adm', 'admin') });
    expect(verification.status).toBe(200);
    expect(verification.headers.get('cache-control')).toBe('no-store');
    expect(verification.body).toEqual({
      ok: true,
      entries: 0,
      tip: { seq: 0, hash: '0'.repeat(64) },
      anchoredAt: null,
      checkedAt: service.clock.now().toISOString(),
    });
    for (const roles of [['coach'], ['screener'], ['analyst']] as const) {
      expect((await service.request('GET', '/v1/audit/verification', { roles: [...roles] })).status).toBe(403);
    }
  });

  test('reads, lookups, commands and erasure are recorded: who, when, which worker, what', async () => {
    service.clock.set('2026-11-24T09:00:00Z');
    const insz = freshInsz();
    const coach = as('coach-audit', 'coach');
    const created = await service.request('POST', '/v1/workers', {
      token: as('scr-audit', 'screener'),
      body: { ...registration(insz), coach: 'coach-audit', givenName: 'Mia' },
    });
    const workerId = created.body.workerId as string;
    // A command's entry is derived from its events: `waitFor` answers once it is in the trail.
    // The answer names Mia, so it is itself recorded as a read of her (by adm, at 09:00).
    expect((await audit(`?workerId=${workerId}&waitFor=${created.body.position}`)).body.items).toHaveLength(1);
    service.clock.set('2026-11-24T10:00:00Z');
    expect((await service.request('GET', `/v1/workers/${workerId}`, { token: coach })).status).toBe(200);
    const pop = await service.request('POST', `/v1/workers/${workerId}/pops`, { token: coach, body: { date: '2026-11-24', goals: ['x'] } });
    expect(pop.status).toBe(201);
    const lookup = await service.request('GET', `/v1/workers?insz=${insz}&waitFor=${pop.body.position}`, { token: as('scr-audit', 'screener') });
    expect(lookup.body.items).toHaveLength(1);
    // A read of someone else's worker (404) answers no personal data and is not recorded.
    expect((await service.request('GET', `/v1/workers/${workerId}`, { token: as('coach-other', 'coach') })).status).toBe(404);
    service.clock.set('2026-11-25T08:00:00Z');
    expect((await service.request('DELETE', `/v1/workers/${workerId}/personal-data`, { token: as('adm', 'admin') })).status).toBe(204);
    expect((await service.request('GET', `/v1/workers/${workerId}`, { token: coach })).status).toBe(200);

    const trail = await audit(`?workerId=${workerId}`);
    expect(trail.status).toBe(200);
    expect(trail.headers.get('cache-control')).toBe('no-store');
    expect(
      trail.body.items.map((e: { at: string; actor: string; action: string; workerId: string; detail: string }) => [
        e.at,
        e.actor,
        e.action,
        e.workerId,
        e.detail,
      ]),
    ).toEqual([
      ['2026-11-25T08:00:00.000Z', 'adm', 'erase', workerId, 'DELETE /v1/workers/{id}/personal-data'],
      ['2026-11-24T10:00:00.000Z', 'scr-audit', 'lookup', workerId, 'GET /v1/workers'],
      ['2026-11-24T10:00:00.000Z', 'coach-audit', 'command', workerId, 'RecordPop'],
      ['2026-11-24T10:00:00.000Z', 'coach-audit', 'read', workerId, 'GET /v1/workers/{id}'],
      ['2026-11-24T09:00:00.000Z', 'adm', 'read', workerId, 'GET /v1/audit'],
      ['2026-11-24T09:00:00.000Z', 'scr-audit', 'command', workerId, 'RegisterWorker'],
    ]);
    expect(trail.body.next).toBeNull();
    // Nothing in the trail names the person.
    expect(JSON.stringify((await audit('?limit=200')).body)).not.toMatch(new RegExp(`${insz}|Mia`));

    expect((await audit(`?workerId=${workerId}&actor=coach-audit`)).body.items.map((e: { action: string }) => e.action)).toEqual(['command', 'read']);
    expect((await audit(`?workerId=${workerId}&from=2026-11-24&to=2026-11-24`)).body.items).toHaveLength(5);
    expect((await audit(`?workerId=${workerId}&from=2026-11-24T10:00:00Z&to=2026-11-25T08:00:00Z`)).body.items).toHaveLength(4);
    expect((await audit(`?workerId=${workerId}&from=2026-11-25`)).body.items.map((e: { action: string }) => e.action)).toEqual(['erase']);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: any } = await audit(`?workerId=${workerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.body.items.map((e: { action: string }) => e.action));
      cursor = page.body.next;
    } while (cursor);
    expect(pages).toEqual(['erase', 'lookup', 'command', 'read', 'read', 'command']);
  });

  test('items carry their place in the chain: seq, hash and prevHash, each linking to the entry before', async () => {
    const { items } = (await audit('?limit=200')).body as { items: { seq: number; hash: string; prevHash: string }[] };
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items.at(-1)).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), hash: expect.stringMatching(HASH) });
    for (const [i, item] of items.slice(0, -1).entries()) {
      expect([item.seq, item.prevHash]).toEqual([items[i + 1].seq + 1, items[i + 1].hash]);
    }
  });

  test('`at` is a moment, not text: the far end of the calendar is a bound like any other', async () => {
    const all = (await audit('?limit=200')).body.items.length;
    expect((await audit('?to=9999-12-31&limit=200')).body.items).toHaveLength(all);
    expect((await audit('?from=0001-01-01&to=9999-12-31&limit=200')).body.items).toHaveLength(all);
    expect((await audit('?to=9999-12-31T23:59:59.999Z&limit=200')).body.items).toHaveLength(all);
    expect((await audit('?from=9999-12-31')).body.items).toEqual([]);
    expect((await audit('?to=2026-11-23')).body.items).toEqual([]);
  });

  test('a verification walks the chain and signs its tip into DATA_DIR/audit-anchors.log', async () => {
    service.clock.set('2026-11-26T12:00:00Z');
    const newest = (await audit('?limit=1')).body.items[0] as { seq: number; hash: string };
    const verification = await service.request('GET', '/v1/audit/verification', { token: as('adm', 'admin') });
    expect(verification.body).toEqual({
      ok: true,
      entries: newest.seq,
      tip: { seq: newest.seq, hash: newest.hash },
      anchoredAt: '2026-11-26T12:00:00.000Z',
      checkedAt: '2026-11-26T12:00:00.000Z',
    });
    const anchors = readFileSync(join(service.config.dataDir, 'audit-anchors.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(anchors.at(-1)!)).toEqual({ seq: newest.seq, hash: newest.hash, anchoredAt: '2026-11-26T12:00:00.000Z', signature: expect.any(String) });
    expect((await service.request('GET', '/health')).body.checks.auditChain).toEqual({ status: 'up', verified: true });
  });

  test('admins only; bad queries are 400', async () => {
    for (const roles of [['coach'], ['screener'], ['analyst']] as const) {
      expect((await service.request('GET', '/v1/audit', { roles: [...roles] })).status).toBe(403);
    }
    for (const query of [
      '?limit=0',
      '?limit=201',
      '?workerId=abc',
      '?waitFor=x',
      '?from=2026-02-30',
      '?to=yesterday',
      '?cursor=zz',
      '?from=2026-11-24T25:00:00Z',
    ]) {
      expect([query, (await audit(query)).status]).toEqual([query, 400]);
    }
  });

  test('append-only and tamper-evident: the chain verifies; an edit made behind the trigger breaks it at that entry', async () => {
    const db = service.database.db;
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: expect.any(Number) });
    await expect(db.query("UPDATE audit_log SET detail = 'x' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);

    const cli = async () => {
      const env =
        store === 'postgres'
          ? {
              ...process.env,
              DATABASE_URL: TEST_DATABASE_URL,
              DATABASE_SCHEMA: service.database.schema!,
              DATA_DIR: service.config.dataDir,
              AUDIT_SIGNING_KEY: secretsOf(service).auditSigningKey,
            }
          : null;
      if (!env || !existsSync('dist/apps/worker/src/cli/verify-audit.js')) return null;
      return run(process.execPath, ['dist/apps/worker/src/cli/verify-audit.js'], { env }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    };
    const intact = await cli();
    if (intact) expect(intact).toEqual({ code: 0, stdout: expect.stringMatching(/chain intact/) });

    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2");
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    expect(await verifyAuditChain(db)).toEqual({
      ok: false,
      entries: 1,
      tip: { seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      brokenAt: { seq: 2, reason: 'its content does not match its hash' },
    });
    const broken = await cli();
    if (broken) expect(broken).toEqual({ code: 1, stdout: expect.stringMatching(/BROKEN at entry 2/) });

    // The service reports it, and its one /health (npm start runs the worker too) names the audit chain.
    const verification = await service.request('GET', '/v1/audit/verification', { token: as('adm', 'admin') });
    expect(verification.body).toMatchObject({ ok: false, entries: 1, tip: { seq: 1 } });
    const health = await service.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.down).toContain('auditChain');
  });
});

/** The admin's audit view: who the entries name, looked up for the whole page at once. */
describe.each(['pglite', 'postgres'] as const)('audit trail with names (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ store });
  });
  afterAll(async () => {
    await service.close();
  });

  const as = (sub: string, ...roles: ('screener' | 'coach' | 'admin' | 'analyst' | 'org-admin')[]) => service.token(roles, sub);
  const audit = (query: string, sub = 'adm-names') => service.request('GET', `/v1/audit${query}`, { token: as(sub, 'admin') });
  type Item = {
    actor: string;
    actorName: string | null;
    action: string;
    workerId: string | null;
    givenName: string | null;
    familyName: string | null;
    detail: string;
  };

  test("items carry the worker's current names and the actor's display name; the view is recorded as a read; after erasure the names are null", async () => {
    service.clock.set('2026-11-27T09:00:00Z');
    const created = await service.request('POST', '/v1/workers', {
      token: as('coach-audit', 'coach'),
      body: { ...registration(freshInsz()), coach: 'coach-audit', givenName: 'Mia', familyName: 'Peeters' },
    });
    expect(created.status).toBe(201);
    const workerId = created.body.workerId as string;

    const first = (await audit(`?workerId=${workerId}&waitFor=${created.body.position}`)).body.items as Item[];
    // coach-audit is a member of the test directory (display name "Coach Audit").
    expect(first).toEqual([
      expect.objectContaining({ actor: 'coach-audit', actorName: 'Coach Audit', action: 'command', workerId, givenName: 'Mia', familyName: 'Peeters' }),
    ]);
    // Showing Mia's name was a read of her; an admin the directory does not know is shown by sub (actorName null).
    const second = (await audit(`?workerId=${workerId}`)).body.items as Item[];
    expect(second.map((e) => [e.actor, e.actorName, e.action, e.detail, e.givenName])).toEqual([
      ['adm-names', null, 'read', 'GET /v1/audit', 'Mia'],
      ['coach-audit', 'Coach Audit', 'command', 'RegisterWorker', 'Mia'],
    ]);

    expect((await service.request('DELETE', `/v1/workers/${workerId}/personal-data`, { token: as('adm-names', 'admin') })).status).toBe(204);
    const erased = (await audit(`?workerId=${workerId}`)).body.items as Item[];
    expect(erased.length).toBeGreaterThanOrEqual(3);
    for (const item of erased) expect([item.givenName, item.familyName]).toEqual([null, null]);
    // A page that shows no name reads no one: nothing more is recorded.
    expect(((await audit(`?workerId=${workerId}`)).body.items as Item[]).length).toBe(erased.length);
    expect(JSON.stringify((await audit('?limit=200')).body)).not.toMatch(/Mia|Peeters/);
  });

  test('a page of 200 entries naming 100 workers: one lookup of names, one of keys, one of the directory; one read recorded per worker named', async () => {
    service.clock.set('2026-11-28T09:00:00Z');
    const coach = as('coach-audit', 'coach');
    let position = '';
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          service.request('POST', '/v1/workers', {
            token: coach,
            body: { ...registration(freshInsz()), coach: 'coach-audit', givenName: `Naam${batch * 10 + i}`, familyName: 'Janssens' },
          }),
        ),
      );
      for (const answer of answers) expect(answer.status).toBe(201);
      position = answers
        .map((a) => a.body.position as string)
        .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]))
        .at(-1)!;
    }
    // The coach's caseload list names each of them: 100 reads beside the 100 registrations.
    const caseload = await service.request('GET', `/v1/workers?limit=200&waitFor=${position}`, { token: coach });
    expect(caseload.body.items.filter((i: { familyName: string }) => i.familyName === 'Janssens')).toHaveLength(100);

    // Every statement the service sends while it answers the page (it shares this database object).
    const db = service.database.db;
    const original = db.query;
    const statements: string[] = [];
    db.query = ((text: string, ...rest: unknown[]) => (
      statements.push(text),
      (original as (...args: unknown[]) => unknown).call(db, text, ...rest)
    )) as typeof db.query;
    try {
      const page = await audit(`?from=2026-11-28&limit=200&waitFor=${position}`, 'adm-page');
      expect(page.status).toBe(200);
      const items = page.body.items as Item[];
      expect(items).toHaveLength(200);
      expect(new Set(items.map((i) => i.workerId)).size).toBe(100);
      for (const item of items) {
        expect(item).toMatchObject({ actor: 'coach-audit', actorName: 'Coach Audit', familyName: 'Janssens', givenName: expect.stringMatching(/^Naam\d+$/) });
      }
      const count = (pattern: RegExp) => statements.filter((text) => pattern.test(text)).length;
      expect([count(/FROM caseload_workers/), count(/FROM worker_keys/), count(/FROM organisation_members/)]).toEqual([1, 1, 1]);
    } finally {
      db.query = original;
    }
    const reads = (await audit('?actor=adm-page&limit=200')).body.items as Item[];
    expect(reads).toHaveLength(100);
    expect(new Set(reads.map((r) => r.workerId)).size).toBe(100);
    expect(new Set(reads.map((r) => `${r.action} ${r.detail}`))).toEqual(new Set(['read GET /v1/audit']));
  });

  test('still admins only: coach, screener, analyst and org-admin get 403 and nothing is recorded', async () => {
    const before = (await audit('?limit=1', 'adm-count')).body.items[0] as { seq: number };
    for (const roles of [['coach'], ['screener'], ['analyst'], ['org-admin']] as const) {
      expect((await service.request('GET', '/v1/audit?limit=200', { roles: [...roles] })).status).toBe(403);
    }
    // The one entry after `before` is adm-count's own read of the newest entry's worker (if it had a name).
    const after = (await audit('?limit=200', 'adm-count')).body.items as { seq: number; actor: string }[];
    expect(after.filter((e) => e.seq > before.seq).every((e) => e.actor === 'adm-count')).toBe(true);
  });
});
