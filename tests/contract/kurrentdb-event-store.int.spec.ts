import { KurrentDbEventStore } from '../../libs/event-store/src/kurrentdb-event-store.js';
import { describeEventStoreContract } from './event-store.contract.js';

const url = process.env.KURRENTDB_URL;

if (url) {
  describeEventStoreContract('KurrentDB', async () => {
    const store = await KurrentDbEventStore.connect(url);
    return { store, dispose: () => store.close(), reopen: () => KurrentDbEventStore.connect(url), logPrefix: store.streamPrefix };
  });
} else {
  // A plain line in the test output (not a console.log with a stack), so nobody mistakes a skip for a pass.
  process.stdout.write('KurrentDB event-store contract suite SKIPPED: KURRENTDB_URL is not set (no KurrentDB server here)\n');
  describe('event store contract: KurrentDB', () => {
    test.skip('SKIPPED: KURRENTDB_URL is not set, so the KurrentDB adapter was not tested', () => undefined);
  });
}
