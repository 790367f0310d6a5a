import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import type { QueryResult, SqlClient, SqlDatabase } from './sql.js';

const INT8_OID = 20;

/**
 * PostgreSQL's server defaults size memory for a dedicated machine (128 MB of shared buffers);
 * inside the service's own process they only add to its resident size. The files stay in the
 * operating system's page cache anyway.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'wal_buffers=1MB'];
const DATE_OID = 1082;

/**
 * The same JS types as the `pg` adapter (checked by tests/contract/sql-database.contract.ts):
 * int8, numeric and count(*) as strings, dates as `YYYY-MM-DD`, intervals as text. PGlite's
 * own defaults would give a number/BigInt for int8 and a Date for date.
 */
const parsers = { [INT8_OID]: (value: string) => value, [DATE_OID]: (value: string) => value };

/** Like `pg`: the count in the command tag (rows returned by SELECT, rows changed by DML), else the rows returned. */
function rowCountOf(result: Results<unknown>): number {
  return result.rowCount ?? result.affectedRows ?? result.rows.length;
}

function clientOf(client: PGlite | Transaction): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const result = await client.query<T>(text, params, { parsers });
      return { rows: result.rows, rowCount: rowCountOf(result) };
    },
    async exec(text: string): Promise<void> {
      await client.exec(text);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WASM) with its files under a folder, or in memory.
 * PGlite is ONE session: a statement issued while another caller's transaction is open would
 * run inside that transaction (seeing its uncommitted rows, and rolled back with it). So every
 * statement and every transaction takes turns through one lock. A consequence: inside
 * `transaction(fn)`, `fn` must use its `tx` client; calling this database again from inside
 * would wait for itself forever, so that is refused with an error instead.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  private readonly client: SqlClient;
  private turn: Promise<unknown> = Promise.resolve();
  /** set while `fn` of `transaction(fn)` runs, for the calls made from it */
  private readonly openTransaction = new AsyncLocalStorage<{ open: boolean }>();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.openTransaction.getStore()?.open) {
      return Promise.reject(new Error('PGlite: the database was called from inside its own transaction; use the transaction client (tx) there'));
    }
    const result = this.turn.then(work, work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private constructor(private readonly pglite: PGlite) {
    this.client = clientOf(pglite);
  }

  static async open(dataDir: string | null): Promise<PgliteDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers, postgresqlconf: EMBEDDED_SETTINGS });
    return new PgliteDatabase(pglite);
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
    return this.exclusive(() => this.client.query<T>(text, params));
  }

  exec(text: string): Promise<void> {
    return this.exclusive(() => this.client.exec(text));
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.pglite.transaction(async (tx) => {
        const state = { open: true };
        try {
          return await this.openTransaction.run(state, () => fn(clientOf(tx)));
        } finally {
          state.open = false;
        }
      }),
    );
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.pglite.closed) await this.pglite.close();
    });
  }
}
