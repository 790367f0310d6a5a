import { PgliteDatabase } from '../../libs/sql/src/pglite.js';

/** PGlite is one session: a plain statement must not run inside another caller's open transaction. */
test('a statement issued while a transaction is open waits for it and never sees its uncommitted rows', async () => {
  const db = await PgliteDatabase.open(null);
  await db.exec('CREATE TABLE t (n int)');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const tx = db.transaction(async (client) => {
    await client.query('INSERT INTO t VALUES (1)');
    await held;
    throw new Error('roll back');
  });
  const read = db.query<{ count: string }>('SELECT count(*)::text AS count FROM t');
  const insertOutside = db.query('INSERT INTO t VALUES (2)');
  release();
  await expect(tx).rejects.toThrow('roll back');
  expect((await read).rows[0]!.count).toBe('0');
  await insertOutside;
  expect((await db.query<{ n: number }>('SELECT n FROM t')).rows).toEqual([{ n: 2 }]);
  await db.close();
});
