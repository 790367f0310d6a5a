import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { QueryResult, SqlClient, SqlDatabase } from './sql.js';

const INT8_OID = 20;
const DATE_OID = 1082;

/** Same JS types as the `pg` adapter: int8 and numeric as strings, dates as `YYYY-MM-DD`. */
const parsers = { [INT8_OID]: (value: string) => value, [DATE_OID]: (value: string) => value };

function clientOf(client: PGlite | Transaction): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const result = await client.query<T>(text, params, { parsers });
      return { rows: result.rows, rowCount: result.fields.length > 0 && result.command === 'SELECT' ? result.rows.length : result.affectedRows ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await client.exec(text);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WASM) with its files under a folder, or in memory.
 * It has one connection: PGlite itself queues a query issued while a transaction is open
 * until that transaction ends.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  private readonly client: SqlClient;

  private constructor(private readonly pglite: PGlite) {
    this.client = clientOf(pglite);
  }

  static async open(dataDir: string | null): Promise<PgliteDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pglite = dataDir ? await PGlite.create(dataDir, { parsers }) : await PGlite.create({ parsers });
    return new PgliteDatabase(pglite);
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
    return this.client.query<T>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.client.exec(text);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => fn(clientOf(tx)));
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
