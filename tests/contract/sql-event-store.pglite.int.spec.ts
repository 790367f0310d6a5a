import { SqlEventStore } from '#event-store/sql-event-store.js';
import { openTestDatabase } from '../support/databases.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('SQL event store on PGlite', async () => {
  const { db, dispose } = await openTestDatabase('pglite');
  return { store: await SqlEventStore.create(db), dispose, reopen: () => SqlEventStore.create(db), logPrefix: null };
});
