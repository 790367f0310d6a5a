import { SqlEventStore } from '#event-store/sql-event-store.js';
import { openTestDatabase } from '../support/databases.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('SQL event store on PostgreSQL', async () => {
  const { db, dispose } = await openTestDatabase('postgres');
  return { store: await SqlEventStore.create(db), dispose, reopen: () => SqlEventStore.create(db), logPrefix: null };
});
