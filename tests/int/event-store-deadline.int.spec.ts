import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { EventStoreDeadlineError, type EventStore, type NewEvent } from '#event-store/event-store.js';
import { KurrentDbEventStore } from '#event-store/kurrentdb-event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { ProjectionProgress, ProjectionRunner } from '#projections/projection-runner.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';

const DEADLINE_MS = 400;
/** what a busy test machine may add to a deadline before the caller runs again */
const SLACK_MS = 1_500;

const event = (): NewEvent => ({
  type: 'V1.WorkerRegistered',
  data: {},
  metadata: { actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt: new Date().toISOString() },
});

/** Runs `call` and checks that it failed with the deadline error after waiting out the deadline, and not much longer. */
async function expectDeadline(call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const outcome = await call().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const elapsed = performance.now() - started;
  expect(outcome).toEqual({ error: expect.any(EventStoreDeadlineError) });
  expect((outcome as { error: Error }).error.message).toMatch(/no answer within its deadline of 400 ms/);
  expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
  expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
}

function storeCalls(store: EventStore): [string, () => Promise<unknown>][] {
  return [
    ['append', () => store.appendToStream(`worker-${randomUUID()}`, [event()], 0)],
    ['stream read', () => store.readStream(`worker-${randomUUID()}`)],
    ['log read', () => store.readAll(null, 10)],
    ['log head (health check)', () => store.headPosition()],
  ];
}

describe('KurrentDB adapter against a server that accepts connections and never answers', () => {
  let server: net.Server;
  const sockets: net.Socket[] = [];
  let url: string;
  const opened: KurrentDbEventStore[] = [];
  /**
   * A new client per test: after some seconds without an answer the client's connection gives up
   * and later calls fail at once with UnavailableError (control back too, but not the deadline this tests).
   */
  const fresh = () => {
    const store = KurrentDbEventStore.open(url, { deadlineMs: DEADLINE_MS });
    opened.push(store);
    return store;
  };

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `kurrentdb://127.0.0.1:${(server.address() as net.AddressInfo).port}?tls=false`;
  });
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('connecting fails within the deadline', async () => {
    await expectDeadline(() => KurrentDbEventStore.connect(url, { deadlineMs: DEADLINE_MS }));
  });

  test.each(['append', 'stream read', 'log read', 'log head (health check)'])('%s fails within the deadline', async (name) => {
    await expectDeadline(storeCalls(fresh()).find(([call]) => call === name)![1]);
  });

  test('the identity (checked before projecting) fails within the deadline, and is asked again next time', async () => {
    const store = fresh();
    await expectDeadline(() => store.identity());
    await expectDeadline(() => store.identity());
  });

  test('catch-up and the projections health check return; a running runner stops', async () => {
    const readStore = await PgliteDatabase.open(null);
    const store = fresh();
    try {
      const runner = new ProjectionRunner(store, readStore, [], { pollIntervalMs: 20 });
      await migrateSchema(readStore);
      await expectDeadline(() => runner.catchUp());
      await expectDeadline(() => new ProjectionProgress(readStore, fresh()).status());
      runner.start();
      await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS / 2));
      const stopping = performance.now();
      await runner.stop();
      expect(performance.now() - stopping).toBeLessThan(DEADLINE_MS + SLACK_MS);
    } finally {
      await readStore.close();
    }
  });

  test('closing returns', async () => {
    const other = fresh();
    await expectDeadline(() => other.headPosition());
    const closing = performance.now();
    await other.close();
    expect(performance.now() - closing).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });
});

describe('SQL adapter on PGlite whose session is held by a transaction that does not end', () => {
  test('every call fails within the deadline; the store answers again once the transaction ends', async () => {
    const db = await PgliteDatabase.open(null);
    try {
      const store = await SqlEventStore.create(db, { deadlineMs: DEADLINE_MS });
      const id = `worker-${randomUUID()}`;
      let release!: () => void;
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const transaction = db.transaction(async () => {
        held();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await holding;
      await expectDeadline(() => store.appendToStream(id, [event()], 0));
      for (const [, call] of storeCalls(store)) await expectDeadline(call);
      release();
      await transaction;
      // The outcome of a timed-out call is unknown to its caller: this append was written once the session was free.
      await expect(store.readStream(id)).resolves.toMatchObject({ version: 1 });
      await expect(store.appendToStream(id, [event()], 1)).resolves.toMatchObject({ version: 2 });
    } finally {
      await db.close();
    }
  });
});

describe('SQL adapter on PostgreSQL whose event tables are locked by another session', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await database.dispose();
  });

  test('every call fails within the deadline; the store answers again once the lock is released', async () => {
    const store = await SqlEventStore.create(database.db, { deadlineMs: DEADLINE_MS });
    const locker = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${database.schema}` });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events, event_streams IN ACCESS EXCLUSIVE MODE');
      for (const [, call] of storeCalls(store)) await expectDeadline(call);
      await locker.query('COMMIT');
      const id = `worker-${randomUUID()}`;
      await expect(store.appendToStream(id, [event()], 0)).resolves.toMatchObject({ version: 1 });
      await expect(store.readStream(id)).resolves.toMatchObject({ version: 1 });
    } finally {
      await locker.end();
    }
  });
});
