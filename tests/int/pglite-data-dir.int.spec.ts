import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { createDataDir, expectedManifest, TEMPLATE, templateManifest } from '#sql/pglite-data-dir.js';
import { initializeDataDir, PgliteDatabase } from '#sql/pglite.js';

/** A new embedded store's files: unpacked from the packed template, or made by initdb when it does not fit. */
describe('the embedded store, first start', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'pglite-data-dir-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  async function opensAndMigrates(folder: string): Promise<void> {
    const db = await PgliteDatabase.open(folder);
    try {
      await migrateSchema(db);
      await db.query(`INSERT INTO event_store_identity (singleton, store_id) VALUES (true, 'a') ON CONFLICT DO NOTHING`);
      expect((await db.query<{ n: string }>('SELECT count(*) AS n FROM event_store_identity')).rows).toEqual([{ n: '1' }]);
    } finally {
      await db.close();
    }
  }

  test('the template in the repository was made by the installed PGlite with the embedded settings (else: npm run embedded:template)', () => {
    expect(templateManifest()).toEqual(expectedManifest());
  });

  test('a new folder is unpacked from the template, opens, and takes the schema', async () => {
    const folder = join(scratch, 'data');
    expect(await createDataDir(folder)).toBe('template');
    await opensAndMigrates(folder);
  });

  test('a template made for another PGlite is not used: initdb makes the files', async () => {
    const other = join(scratch, 'template.tar.br');
    copyFileSync(TEMPLATE, other);
    writeFileSync(join(scratch, 'template.json'), JSON.stringify({ ...expectedManifest(), pglite: '0.0.1' }));
    const folder = join(scratch, 'data');
    expect(await createDataDir(folder, other)).toBe('initdb');
    await opensAndMigrates(folder);
  }, 60_000);

  test('initializeDataDir leaves a complete folder under the name, and no staging folder beside it', async () => {
    const folder = join(scratch, 'nested', 'data');
    await initializeDataDir(folder);
    expect(readdirSync(join(scratch, 'nested'))).toEqual(['data']);
    expect(readdirSync(folder)).toContain('PG_VERSION');
    await opensAndMigrates(folder);
  });
});
