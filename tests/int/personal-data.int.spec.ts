import { randomBytes } from 'node:crypto';
import { PersonalData, WorkerErasedError } from '#personal-data/personal-data.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';

/** Erasure on a `worker_keys` table made before erasure kept rows (key required, no shredded_at). */
describe.each(['pglite', 'postgres'] as const)('worker keys made before erasure kept rows (%s)', (kind) => {
  let database: TestDatabase;
  let personalData: PersonalData;
  const keks = { current: randomBytes(32) };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.exec(`CREATE TABLE worker_keys (worker_id text PRIMARY KEY, key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await database.db.query(`INSERT INTO worker_keys (worker_id, key) VALUES ('w-old', decode(repeat('ab', 32), 'hex'))`);
    // The release's start-up migration upgrades the older table.
    await migrateSchema(database.db);
    personalData = await PersonalData.create(database.db, 'hash-key', keks);
  });
  afterAll(() => database.dispose());

  test('an existing key still seals and opens; after erasure it is gone and no new key is made', async () => {
    const sealed = await personalData.encryptInsz('w-old', '85073003328');
    await expect(personalData.decryptInsz('w-old', sealed)).resolves.toBe('85073003328');
    await personalData.shredWorkerKey('w-old');
    await expect(personalData.decryptInsz('w-old', sealed)).resolves.toBeNull();
    await expect(personalData.encryptInsz('w-old', '85073003328')).rejects.toBeInstanceOf(WorkerErasedError);
    const { rows } = await database.db.query<{ key: unknown; shredded: boolean }>(
      `SELECT key, shredded_at IS NOT NULL AS shredded FROM worker_keys WHERE worker_id = 'w-old'`,
    );
    expect(rows).toEqual([{ key: null, shredded: true }]);
  });

  test('erasing a worker who never had a key leaves one that can never get one', async () => {
    await personalData.shredWorkerKey('w-never');
    await expect(personalData.encryptInsz('w-never', '85073003328')).rejects.toBeInstanceOf(WorkerErasedError);
  });

  test('asked together, each worker gets its own INSZ hash; a worker without one gets null', async () => {
    const a = await personalData.claimAndSeal(personalData.hashInsz('85073003328'), 'w-a', []);
    const b = await personalData.claimAndSeal(personalData.hashInsz('85073003427'), 'w-b', []);
    const asked = ['w-a', 'w-nobody', a.workerId, b.workerId, 'w-a'].map((id) => personalData.inszHashOf(id));
    const [hashA, hashB] = [personalData.hashInsz('85073003328'), personalData.hashInsz('85073003427')];
    await expect(Promise.all(asked)).resolves.toEqual([hashA, null, hashA, hashB, hashA]);
  });

  test('claims made at once, also of one INSZ and from two processes, give each INSZ one worker and one key', async () => {
    const other = await PersonalData.create(database.db, 'hash-key', keks);
    const [x, y] = [personalData.hashInsz('71011512311'), personalData.hashInsz('71011512410')];
    const claims = await Promise.all([
      personalData.claimAndSeal(x, 'cand-1', ['a']),
      personalData.claimAndSeal(x, 'cand-2', ['a']),
      other.claimAndSeal(x, 'cand-3', ['a']),
      personalData.claimAndSeal(y, 'cand-4', ['b']),
      other.claimAndSeal(y, 'cand-5', ['b']),
    ]);
    const xs = claims.filter((_, i) => i < 3);
    const ys = claims.filter((_, i) => i >= 3);
    expect(new Set(xs.map((c) => c.workerId)).size).toBe(1);
    expect(new Set(ys.map((c) => c.workerId)).size).toBe(1);
    expect(xs[0].workerId).not.toBe(ys[0].workerId);
    for (const { workerId, sealed } of claims)
      await expect(personalData.decryptInsz(workerId, sealed[0]!)).resolves.toBe(workerId === xs[0].workerId ? 'a' : 'b');
    await personalData.erase(ys[0].workerId);
    await expect(personalData.claimAndSeal(personalData.hashInsz('71011512410'), 'cand-6', [])).resolves.toMatchObject({ workerId: 'cand-6' });
    await personalData.shredWorkerKey(xs[0].workerId);
    await expect(Promise.all([personalData.claimAndSeal(x, 'cand-7', []), personalData.claimAndSeal(y, 'cand-8', [])])).rejects.toBeInstanceOf(
      WorkerErasedError,
    );
  });

  test('erasing twice keeps the first erasure time', async () => {
    await personalData.shredWorkerKey('w-twice');
    const first = await database.db.query<{ at: string }>(`SELECT shredded_at::text AS at FROM worker_keys WHERE worker_id = 'w-twice'`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await personalData.shredWorkerKey('w-twice');
    const second = await database.db.query<{ at: string }>(`SELECT shredded_at::text AS at FROM worker_keys WHERE worker_id = 'w-twice'`);
    expect(second.rows).toEqual(first.rows);
  });
});
