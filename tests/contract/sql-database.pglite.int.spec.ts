import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDatabase } from '#sql/pglite.js';
import { openTestDatabase } from '../support/databases.js';
import { describeSqlDatabaseContract } from './sql-database.contract.js';

describeSqlDatabaseContract('PGlite', () => openTestDatabase('pglite'));

describe('PgliteDatabase on a folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'pglite-'));
  const dataDir = join(root, 'nested', 'data');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('creates the folder and keeps its data across close and open', async () => {
    const first = await PgliteDatabase.open(dataDir);
    await first.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42);');
    await first.close();
    const second = await PgliteDatabase.open(dataDir);
    try {
      expect((await second.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);

      // One session: calling the database from inside its own transaction would wait for itself forever.
      const reentrant = second.transaction(async (tx) => {
        await tx.query('INSERT INTO kept VALUES (1)');
        await second.query('SELECT 1');
      });
      await expect(reentrant).rejects.toThrow('use the transaction client');
      expect((await second.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    } finally {
      await second.close();
    }
  });

  test('an empty folder, and the staging folder of an initdb that died, give a fresh database and no leftovers', async () => {
    const fresh = join(root, 'fresh');
    mkdirSync(fresh);
    const staging = `${fresh}.initdb-${process.pid}`;
    mkdirSync(staging);
    writeFileSync(join(staging, 'PG_VERSION'), 'half-made');
    const db = await PgliteDatabase.open(fresh);
    try {
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
    }
    expect(existsSync(staging)).toBe(false);
    expect(readdirSync(root).filter((name) => name.startsWith('fresh'))).toEqual(['fresh']);
  });
});
