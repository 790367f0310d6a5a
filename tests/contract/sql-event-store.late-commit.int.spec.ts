import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RecordedEvent } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { untilReadable } from './event-store.contract.js';

/**
 * The race a plain sequence number loses: transaction A takes its number first but commits
 * last. A reader that already moved its checkpoint past B's (higher) number would skip A.
 */
describe('SQL event store on PostgreSQL: the order of the log', () => {
  let testDb: TestDatabase;
  let store: SqlEventStore;
  let a: pg.Client;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    store = await SqlEventStore.create(testDb.db);
    a = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${testDb.schema}` });
    await a.connect();
  });
  afterAll(async () => {
    await a.end();
    await testDb.dispose();
  });

  test('an event whose transaction commits late is never skipped: the reader waits for the open transaction, then reads both in log order', async () => {
    const before = await store.appendToStream(`worker-${randomUUID()}`, [{ type: 'V1.Before', data: {}, metadata: meta() }], 0);
    await untilReadable(store, before.position);
    const checkpoint = before.position; // a reader has read up to here

    // A: takes its transaction id and sequence number first, commits last.
    await a.query('BEGIN');
    await a.query(`INSERT INTO events (stream_id, stream_version, type, data, metadata) VALUES ($1, 1, 'V1.A', '{}', $2)`, [
      `worker-${randomUUID()}`,
      JSON.stringify(meta()),
    ]);
    // B: commits while A is open.
    const b = await store.appendToStream(`worker-${randomUUID()}`, [{ type: 'V1.B', data: {}, metadata: meta() }], 0);

    expect(await store.readAll(checkpoint, 100)).toEqual([]);
    expect(await store.headPosition()).toBe(checkpoint);

    await a.query('COMMIT');
    // Other transactions on the server may hold the horizon a little longer: wait, but never past B.
    await untilReadable(store, b.position);
    const afterCommit: RecordedEvent[] = await store.readAll(checkpoint, 100);
    expect(afterCommit.map((e) => e.type)).toEqual(['V1.A', 'V1.B']);
    expect(afterCommit[1].position).toBe(b.position);
    expect(await store.headPosition()).toBe(b.position);
  });

  test('orders the log by transaction id as a number, also where its digits grow (999 before 1000)', async () => {
    // Rows of long-finished transactions, written directly: ids far below the horizon.
    const streams = [`worker-${randomUUID()}`, `worker-${randomUUID()}`];
    await testDb.db.query(
      `INSERT INTO events (transaction_id, stream_id, stream_version, type, data, metadata)
       VALUES ('1000'::xid8, $1, 1, 'V1.Later', '{}', $3), ('999'::xid8, $2, 1, 'V1.Earlier', '{}', $3)`,
      [streams[0], streams[1], JSON.stringify(meta())],
    );
    const log = await store.readAll(null, 2);
    expect(log.map((e) => [e.type, e.position.split('-')[0]])).toEqual([
      ['V1.Earlier', '999'],
      ['V1.Later', '1000'],
    ]);
    expect(await store.readAll(log[0].position, 1)).toEqual([log[1]]);
  });
});

function meta() {
  return { actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: new Date().toISOString() };
}
