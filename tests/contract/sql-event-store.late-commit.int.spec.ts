import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SqlEventStore } from '../../libs/event-store/src/sql-event-store.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';

/**
 * The race a plain sequence number loses: transaction A takes its number first but commits
 * last. A reader that already moved its checkpoint past B's (higher) number would skip A.
 */
describe('SQL event store on PostgreSQL: an event whose transaction commits late is never skipped', () => {
  let test_db: TestDatabase;
  let store: SqlEventStore;
  let a: pg.Client;

  beforeAll(async () => {
    test_db = await openTestDatabase('postgres');
    store = await SqlEventStore.create(test_db.db);
    a = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${test_db.schema}` });
    await a.connect();
  });
  afterAll(async () => {
    await a.end();
    await test_db.dispose();
  });

  test('reader waits for the open transaction, then reads both events in log order', async () => {
    await store.appendToStream(`worker-${randomUUID()}`, [{ type: 'V1.Before', data: {}, metadata: meta() }], 0);
    const checkpoint = await store.headPosition();

    // A: takes its transaction id and sequence number first, commits last.
    await a.query('BEGIN');
    await a.query(
      `INSERT INTO events (stream_id, stream_version, type, data, metadata) VALUES ($1, 1, 'V1.A', '{}', $2)`,
      [`worker-${randomUUID()}`, JSON.stringify(meta())],
    );
    // B: commits while A is open.
    await store.appendToStream(`worker-${randomUUID()}`, [{ type: 'V1.B', data: {}, metadata: meta() }], 0);

    expect(await store.readAll(checkpoint, 100)).toEqual([]);

    await a.query('COMMIT');
    const afterCommit = await store.readAll(checkpoint, 100);
    expect(afterCommit.map((e) => e.type)).toEqual(['V1.A', 'V1.B']);
  });
});

function meta() {
  return { actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: new Date().toISOString() };
}
