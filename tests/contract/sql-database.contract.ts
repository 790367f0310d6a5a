import type { SqlDatabase } from '#sql/sql.js';

export interface SqlDatabaseUnderTest {
  db: SqlDatabase;
  dispose(): Promise<void>;
}

/**
 * The one contract both SQL adapters honour, so that read models and the SQL event store behave
 * the same on PostgreSQL and PGlite. In particular the JS types of results are the same:
 * int8, numeric and count(*) are strings, date is 'YYYY-MM-DD', interval is text, timestamptz is a Date.
 */
export function describeSqlDatabaseContract(adapter: string, open: () => Promise<SqlDatabaseUnderTest>): void {
  describe(`SQL database contract: ${adapter}`, () => {
    let subject: SqlDatabaseUnderTest;
    let db: SqlDatabase;

    beforeAll(async () => {
      subject = await open();
      db = subject.db;
    });
    afterAll(async () => {
      await subject.dispose();
    });

    test('returns the same JS types for the same SQL', async () => {
      const { rows } = await db.query(
        `SELECT 1::int2 AS small, 2::int4 AS int, 9007199254740993::int8 AS big, 4.50::numeric AS num,
                count(*) AS counted, sum(3::int4) AS summed, 1.5::float8 AS float, true AS flag, 'x'::text AS text,
                '2024-02-29'::date AS day, ARRAY['2024-02-29'::date, NULL] AS days,
                '2024-02-29T10:00:00Z'::timestamptz AS at, '26 hours'::interval AS span,
                '{"a":[1]}'::jsonb AS doc, ARRAY[1, 2]::int8[] AS bigs, ARRAY[1, 2]::int4[] AS ints,
                ARRAY['a', 'b'] AS texts, '00000000-0000-4000-8000-000000000001'::uuid AS id, NULL::int8 AS nothing`,
      );
      expect(rows).toEqual([
        {
          small: 1,
          int: 2,
          big: '9007199254740993',
          num: '4.50',
          counted: '1',
          summed: '3',
          float: 1.5,
          flag: true,
          text: 'x',
          day: '2024-02-29',
          days: ['2024-02-29', null],
          at: new Date('2024-02-29T10:00:00Z'),
          span: '26:00:00',
          doc: { a: [1] },
          bigs: ['1', '2'],
          ints: [1, 2],
          texts: ['a', 'b'],
          id: '00000000-0000-4000-8000-000000000001',
          nothing: null,
        },
      ]);
    });

    test('takes parameters of the usual JS types', async () => {
      const { rows } = await db.query<{ n: number; tags: string[]; doc: unknown; day: string; big: string }>(
        'SELECT $1::int AS n, $2::text[] AS tags, $3::jsonb AS doc, $4::date AS day, $5::int8 AS big',
        [7, ['a', 'b'], JSON.stringify({ b: true }), '2023-12-31', '9007199254740993'],
      );
      expect(rows).toEqual([{ n: 7, tags: ['a', 'b'], doc: { b: true }, day: '2023-12-31', big: '9007199254740993' }]);
    });

    test('exec runs several statements; rowCount is affected rows for DML and rows returned for SELECT', async () => {
      await db.exec(`CREATE TABLE counted (n int PRIMARY KEY); INSERT INTO counted VALUES (1), (2);`);
      expect((await db.query('INSERT INTO counted VALUES (3), (4), (5)')).rowCount).toBe(3);
      expect((await db.query('UPDATE counted SET n = n + 10 WHERE n > 3')).rowCount).toBe(2);
      expect((await db.query('UPDATE counted SET n = 0 WHERE n > 100')).rowCount).toBe(0);
      expect((await db.query('INSERT INTO counted VALUES (6), (7) ON CONFLICT DO NOTHING RETURNING n')).rowCount).toBe(2);
      expect((await db.query('INSERT INTO counted VALUES (6) ON CONFLICT DO NOTHING')).rowCount).toBe(0);
      expect((await db.query('DELETE FROM counted WHERE n IN (1, 2)')).rowCount).toBe(2);
      expect((await db.query('SELECT n FROM counted ORDER BY n')).rowCount).toBe(5);
      expect((await db.query('SELECT n FROM counted WHERE n < 0')).rowCount).toBe(0);
    });

    test('a transaction commits what its function did and returns its result', async () => {
      await db.exec('CREATE TABLE committed (n int)');
      const result = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO committed VALUES ($1)', [1]);
        await tx.exec('INSERT INTO committed VALUES (2); INSERT INTO committed VALUES (3);');
        return (await tx.query<{ total: string }>('SELECT sum(n) AS total FROM committed')).rows[0].total;
      });
      expect(result).toBe('6');
      expect((await db.query('SELECT n FROM committed')).rowCount).toBe(3);
    });

    test('a transaction whose function throws rolls back everything and rethrows', async () => {
      await db.exec('CREATE TABLE rolled_back (n int)');
      const failure = db.transaction(async (tx) => {
        await tx.query('INSERT INTO rolled_back VALUES (1)');
        throw new Error('rule violated');
      });
      await expect(failure).rejects.toThrow('rule violated');
      const failedStatement = db.transaction(async (tx) => {
        await tx.query('INSERT INTO rolled_back VALUES (2)');
        await tx.query('INSERT INTO rolled_back VALUES ($1)', ['not a number']);
      });
      await expect(failedStatement).rejects.toThrow();
      expect((await db.query('SELECT n FROM rolled_back')).rows).toEqual([]);
      // the database is usable afterwards
      await db.query('INSERT INTO rolled_back VALUES (3)');
      expect((await db.query('SELECT n FROM rolled_back')).rows).toEqual([{ n: 3 }]);
    });

    test('a statement from another caller never runs inside an open transaction nor sees its rows', async () => {
      await db.exec('CREATE TABLE isolated (n int)');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const tx = db.transaction(async (client) => {
        await client.query('INSERT INTO isolated VALUES (1)');
        entered();
        await held;
        throw new Error('roll back');
      });
      await inside;
      const read = db.query<{ count: string }>('SELECT count(*) AS count FROM isolated WHERE n = 1');
      const insertOutside = db.query('INSERT INTO isolated VALUES (2)');
      release();
      await expect(tx).rejects.toThrow('roll back');
      expect((await read).rows[0].count).toBe('0');
      await insertOutside;
      expect((await db.query('SELECT n FROM isolated')).rows).toEqual([{ n: 2 }]);
    });

    test('concurrent transactions that read and then write never lose an update', async () => {
      await db.exec(`CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL); INSERT INTO counter VALUES (1, 0);`);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ value: number }>('SELECT value FROM counter WHERE id = 1 FOR UPDATE');
            await tx.query('UPDATE counter SET value = $1 WHERE id = 1', [rows[0].value + 1]);
          }),
        ),
      );
      expect((await db.query('SELECT value FROM counter')).rows).toEqual([{ value: 20 }]);
    });
  });
}
