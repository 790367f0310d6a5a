import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kekIdOf, UnknownKekError } from '#personal-data/key-wrapping.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { loadConfig } from '#platform/config.js';
import { resolveSecrets } from '#platform/secrets.js';
import { runMigrations } from '#sql/migrations.js';
import { PgliteDatabase } from '#sql/pglite.js';
import type { SqlDatabase } from '#sql/sql.js';
import { migrateSchema, SCHEMA_MIGRATIONS } from '../../apps/worker/src/schema-migrations.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { freePort } from '../support/ports.js';

const run = promisify(execFile);
const ROTATE = 'dist/apps/worker/src/cli/rotate-kek.js';

/** A value sealed the way PersonalData seals (AES-256-GCM, `v1.iv.tag.ciphertext`), for stores made before wrapping. */
function sealRaw(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

async function keyRows(db: SqlDatabase) {
  const { rows } = await db.query<{ worker_id: string; key: Uint8Array | null; kek_id: string | null }>(
    'SELECT worker_id, key, kek_id FROM worker_keys ORDER BY worker_id',
  );
  return rows;
}

/** Envelope encryption of the worker keys: the database holds them wrapped by a key-encryption key it never holds. */
describe.each(['pglite', 'postgres'] as const)('worker keys wrapped by a key-encryption key (%s)', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(() => database.dispose());

  test('a copy of the database alone opens no INSZ and no name: every stored key, and every 32 bytes of it, fails', async () => {
    await migrateSchema(database.db);
    const personalData = await PersonalData.create(database.db, 'hash', { current: randomBytes(32) });
    const sealed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const claimed = await personalData.claimAndSeal(`hash-${i}`, randomUUID(), ['85073003328', 'Mia', 'Peeters']);
      sealed.push(...(claimed.sealed as string[]));
      sealed.push(...((await personalData.sealAll(randomUUID(), ['a note about Mia'])) as string[]));
    }
    const rows = await keyRows(database.db);
    expect(rows).toHaveLength(10);
    const candidates = rows.flatMap(({ key }) => {
      const bytes = Buffer.from(key!);
      expect(bytes).toHaveLength(60);
      return Array.from({ length: bytes.length - 31 }, (_, at) => bytes.subarray(at, at + 32));
    });
    for (const value of sealed) for (const key of candidates) expect(personalData.open(key, value)).toBeNull();
    // ...while the service, with its KEK, opens them.
    const again = await personalData.claimAndSeal('hash-0', randomUUID(), []);
    await expect(personalData.openAll(again.workerId, sealed.slice(0, 3))).resolves.toEqual(['85073003328', 'Mia', 'Peeters']);

    // A process given another KEK refuses to start rather than fail every read.
    await expect(PersonalData.create(database.db, 'hash', { current: randomBytes(32) })).rejects.toBeInstanceOf(UnknownKekError);
  });

  test('a store of the release before (raw keys, schema before version 50) is wrapped at start, and what was sealed still opens', async () => {
    await runMigrations(
      database.db,
      SCHEMA_MIGRATIONS.filter((migration) => migration.version < 50),
    );
    const raw = randomBytes(32);
    await database.db.query('INSERT INTO worker_keys (worker_id, key) VALUES ($1, $2), ($3, NULL)', ['w-raw', raw, 'w-erased']);
    const sealed = sealRaw(raw, '85073003328');

    await migrateSchema(database.db);
    const kek = randomBytes(32);
    const personalData = await PersonalData.create(database.db, 'hash', { current: kek });
    const rows = await keyRows(database.db);
    expect(rows.map((row) => [row.worker_id, row.kek_id, row.key?.length ?? null])).toEqual([
      ['w-erased', null, null],
      ['w-raw', kekIdOf(kek), 60],
    ]);
    expect(Buffer.from(rows[1].key!).includes(raw)).toBe(false);
    await expect(personalData.openAll('w-raw', [sealed])).resolves.toEqual(['85073003328']);
    // A second start finds nothing raw.
    await expect((await PersonalData.create(database.db, 'hash', { current: kek })).rewrap('raw')).resolves.toEqual({ rewrapped: 0 });
  });

  test('rotation re-wraps every data key under the new KEK, beside running services, and never touches the data', async () => {
    await migrateSchema(database.db);
    const [oldKek, newKek] = [randomBytes(32), randomBytes(32)];
    const before = await PersonalData.create(database.db, 'hash', { current: oldKek });
    const sealed = new Map<string, string>();
    for (let i = 0; i < 250; i++) {
      const {
        workerId,
        sealed: [value],
      } = await before.claimAndSeal(`h-${i}`, randomUUID(), [`insz-${i}`]);
      sealed.set(workerId, value!);
    }
    // The services restarted with the new KEK and the previous one.
    const during = await PersonalData.create(database.db, 'hash', { current: newKek, previous: oldKek });
    const erased = [...sealed.keys()][7];
    const [report] = await Promise.all([
      during.rewrap('all', 40),
      ...Array.from({ length: 30 }, (_, i) =>
        during.claimAndSeal(`new-${i}`, randomUUID(), [`new-${i}`]).then(({ workerId, sealed: [value] }) => void sealed.set(workerId, value!)),
      ),
      during.erase(erased),
    ]);
    expect(report.rewrapped).toBeGreaterThanOrEqual(249);
    const rows = await keyRows(database.db);
    expect(rows.filter((row) => row.key !== null).every((row) => row.kek_id === kekIdOf(newKek))).toBe(true);

    // Restarted with the new KEK only: everything opens; the old KEK alone opens nothing.
    const after = await PersonalData.create(database.db, 'hash', { current: newKek });
    for (const [workerId, value] of sealed) {
      expect([workerId, (await after.openAll(workerId, [value]))[0]]).toEqual([workerId, workerId === erased ? null : expect.stringMatching(/^(insz|new)-/)]);
    }
    await expect(PersonalData.create(database.db, 'hash', { current: oldKek })).rejects.toBeInstanceOf(UnknownKekError);
    await expect(after.rewrap('all')).resolves.toEqual({ rewrapped: 0 });
  });

  if (kind === 'postgres') {
    test('npm run personal-data:rotate-kek on PostgreSQL: PERSONAL_DATA_KEK the new key, PERSONAL_DATA_KEK_PREVIOUS the old', async () => {
      await migrateSchema(database.db);
      const [oldKek, newKek] = [randomBytes(32), randomBytes(32)];
      const personalData = await PersonalData.create(database.db, 'hash', { current: oldKek });
      const { workerId, sealed } = await personalData.claimAndSeal('h', randomUUID(), ['85073003328']);
      const env = {
        ...process.env,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: database.schema!,
        PERSONAL_DATA_KEK: newKek.toString('base64'),
        PERSONAL_DATA_KEK_PREVIOUS: oldKek.toString('base64'),
      };
      const { stdout } = await run(process.execPath, [ROTATE], { env });
      expect(stdout).toMatch(/^personal-data: 1 data keys re-wrapped under PERSONAL_DATA_KEK/);
      await expect((await PersonalData.create(database.db, 'hash', { current: newKek })).openAll(workerId, sealed)).resolves.toEqual(['85073003328']);
      await expect(run(process.execPath, [ROTATE], { env: { ...env, PERSONAL_DATA_KEK: '' } })).rejects.toMatchObject({
        stderr: expect.stringMatching(/PERSONAL_DATA_KEK \(the new key\)/),
      });
    });
  }
});

describe('npm run personal-data:rotate-kek on the embedded default', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rotate-kek-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('makes a new KEK, re-wraps the data folder under it and writes it to secrets.json; the old one opens nothing', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const oldKek = Buffer.from(resolveSecrets(config).personalDataKek, 'base64');
    let db = await PgliteDatabase.open(join(dataDir, 'pglite'));
    await migrateSchema(db);
    const { workerId, sealed } = await (await PersonalData.create(db, 'hash', { current: oldKek })).claimAndSeal('h', randomUUID(), ['85073003328', 'Mia']);
    await db.close();

    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      KURRENTDB_URL: '',
      PERSONAL_DATA_KEK: '',
    };
    const { stdout } = await run(process.execPath, [ROTATE], { env });
    expect(stdout).toMatch(/^personal-data: 1 data keys re-wrapped under a new key-encryption key/);
    const file = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(file).sort()).toEqual(['auditSigningKey', 'inszHashKey', 'jwtSecret', 'personalDataKek']);
    const newKek = Buffer.from(file.personalDataKek, 'base64');
    expect(newKek.equals(oldKek)).toBe(false);

    db = await PgliteDatabase.open(join(dataDir, 'pglite'));
    try {
      await expect((await PersonalData.create(db, 'hash', { current: newKek })).openAll(workerId, sealed)).resolves.toEqual(['85073003328', 'Mia']);
      await expect(PersonalData.create(db, 'hash', { current: oldKek })).rejects.toBeInstanceOf(UnknownKekError);
    } finally {
      await db.close();
    }
  });

  test('refuses while a service answers on HOST:PORT (the embedded store is its files), and changes nothing', async () => {
    const before = resolveSecrets(loadConfig({ DATA_DIR: dataDir })).personalDataKek;
    const port = await freePort();
    const running = createServer((_, response) => response.end('{}'));
    await new Promise<void>((resolve) => running.listen(port, '127.0.0.1', resolve));
    try {
      const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', KURRENTDB_URL: '', PERSONAL_DATA_KEK: '' };
      await expect(run(process.execPath, [ROTATE], { env })).rejects.toMatchObject({ stderr: expect.stringMatching(/stop it first/) });
    } finally {
      running.close();
    }
    expect(resolveSecrets(loadConfig({ DATA_DIR: dataDir })).personalDataKek).toBe(before);
  });
});
