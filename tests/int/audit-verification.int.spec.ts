import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditAnchors } from '#audit/audit-anchors.js';
import { appendAuditEntries, AT_ISO, chain, GENESIS_HASH, insertParameters, verifyAuditChain, type TimedAuditEntry } from '#audit/audit-log.js';
import { AuditVerification } from '#audit/audit-verification.js';
import { runMigrations } from '#sql/migrations.js';
import { migrateSchema, SCHEMA_MIGRATIONS } from '../../apps/worker/src/schema-migrations.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';

const entry = (i: number) => ({ actor: `user-${i % 3}`, action: 'read' as const, workerId: null, detail: `GET /v1/workers/{id} #${i}` });

/** The audit chain checked against signed anchors kept outside the database. */
describe.each(['pglite', 'postgres'] as const)('audit verification against signed anchors (%s)', (kind) => {
  let database: TestDatabase;
  let dir: string;
  let anchors: AuditAnchors;
  let verification: AuditVerification;
  const now = new Date('2026-12-07T10:00:00Z');

  beforeEach(async () => {
    database = await openTestDatabase(kind);
    await migrateSchema(database.db);
    for (let batch = 0; batch < 4; batch++) {
      await appendAuditEntries(
        database.db,
        Array.from({ length: 30 }, (_, i) => entry(batch * 30 + i)),
        new Date(now.getTime() - (4 - batch) * 60_000),
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'audit-anchors-'));
    anchors = new AuditAnchors(join(dir, 'audit-anchors.log'), randomBytes(32));
    verification = new AuditVerification(database.db, anchors, () => now);
  });
  afterEach(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const withoutTriggers = async (sql: string) => {
    await database.db.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await database.db.exec(sql);
    await database.db.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
  };

  test('a whole chain verifies, and its tip is signed into the anchors file', async () => {
    expect(verification.last()).toBeNull();
    const result = await verification.verify();
    expect(result).toEqual({
      ok: true,
      entries: 120,
      tip: { seq: 120, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      anchoredAt: '2026-12-07T10:00:00.000Z',
      checkedAt: '2026-12-07T10:00:00.000Z',
    });
    expect(verification.last()).toEqual({ ok: true, checkedAt: '2026-12-07T10:00:00.000Z' });
    const [line] = readFileSync(anchors.path, 'utf8').trim().split('\n');
    expect(JSON.parse(line)).toEqual({ ...result.tip, anchoredAt: result.anchoredAt, signature: expect.any(String) });
  });

  test('the last 50 entries deleted behind the trigger: the chain alone still holds, against the anchor it does not', async () => {
    await verification.verify();
    await withoutTriggers('DELETE FROM audit_log WHERE seq > 70');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 70 });
    const result = await verification.verify();
    expect(result).toMatchObject({ ok: false, entries: 70, tip: { seq: 70 }, anchoredAt: '2026-12-07T10:00:00.000Z' });
    expect(result.problem).toMatch(/entry 120 was anchored .*cut off/);
    expect(verification.last()).toEqual({ ok: false, checkedAt: '2026-12-07T10:00:00.000Z' });
    // A broken chain is never anchored: the next verification still reports it.
    expect(readFileSync(anchors.path, 'utf8').trim().split('\n')).toHaveLength(1);
    await expect(verification.verify()).resolves.toMatchObject({ ok: false });
  });

  test('TRUNCATE is refused as DELETE is, also for the connection that owns the table', async () => {
    await expect(database.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(database.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 120 });
  });

  test('with the triggers disabled, a TRUNCATE is reported once the chain was anchored', async () => {
    await verification.verify();
    await withoutTriggers('TRUNCATE audit_log');
    const result = await verification.verify();
    expect(result).toMatchObject({ ok: false, entries: 0, tip: { seq: 0, hash: GENESIS_HASH } });
    expect(result.problem).toMatch(/cut off/);
  });

  test('an edit is reported, also one that rewrites every hash after it so that the chain alone holds', async () => {
    await verification.verify();
    await withoutTriggers("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 10");
    expect((await verification.verify()).problem).toBe('entry 10: its content does not match its hash');

    // A careful forger recomputes the chain from the edited entry on.
    const { rows } = await database.db.query<{ at: string; actor: string; detail: string; prev_hash: string }>(
      `SELECT ${AT_ISO} AS at, actor, detail, prev_hash FROM audit_log WHERE seq >= 10 ORDER BY seq`,
    );
    const rewritten = chain(
      { seq: 9, hash: rows[0].prev_hash },
      rows.map((row): TimedAuditEntry => ({ at: row.at, actor: row.actor, action: 'read', workerId: null, detail: row.detail })),
    );
    await withoutTriggers('DELETE FROM audit_log WHERE seq >= 10');
    await database.db.query(
      `INSERT INTO audit_log (seq, at, actor, action, worker_id, detail, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      insertParameters(rewritten),
    );
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 120 });
    expect((await verification.verify()).problem).toBe('entry 120: it is not the entry anchored (signed) as entry 120');
  });

  test('an anchor that this key did not sign is reported: the anchors cannot be forged from the database side', async () => {
    await verification.verify();
    const forger = new AuditAnchors(join(dir, 'forged.log'), randomBytes(32));
    const forged = forger.append({ seq: 5, hash: 'f'.repeat(64) }, now);
    appendFileSync(anchors.path, readFileSync(forger.path, 'utf8'));
    expect(forged.seq).toBe(5);
    const result = await verification.verify();
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(/line 2 .* does not carry this key's signature/);
  });
});

describe.each(['pglite', 'postgres'] as const)('audit_log.at as a timestamp (%s)', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(() => database.dispose());

  test('entries of a store whose `at` was text are converted, and their hashes still hold', async () => {
    await runMigrations(
      database.db,
      SCHEMA_MIGRATIONS.filter((migration) => migration.version < 51),
    );
    const stored = chain(
      { seq: 0, hash: GENESIS_HASH },
      Array.from({ length: 5 }, (_, i): TimedAuditEntry => ({ ...entry(i), at: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 7 * i)).toISOString() })),
    );
    // As the release before wrote them: `at` as ISO text.
    await database.db.query(
      `INSERT INTO audit_log (seq, at, actor, action, worker_id, detail, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      insertParameters(stored),
    );
    await migrateSchema(database.db);
    const { rows } = await database.db.query<{ type: string }>(
      "SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'audit_log' AND column_name = 'at' AND table_schema = current_schema()",
    );
    expect(rows).toEqual([{ type: 'timestamp with time zone' }]);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 5, tip: { seq: 5, hash: stored[4].hash } });
    const { rows: times } = await database.db.query<{ at: string }>(`SELECT ${AT_ISO} AS at FROM audit_log ORDER BY seq`);
    expect(times.map((row) => row.at)).toEqual(stored.map((e) => e.at));
  });
});
