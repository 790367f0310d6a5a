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
 * PGlite is ONE session: a statement issued while another caller's transaction is open would
 * run inside that transaction (seeing its uncommitted rows, and rolled back with it). So every
 * statement and every transaction takes turns through one lock.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  private readonly client: SqlClient;
  private turn: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work, work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private constructor(private readonly pglite: PGlite) {
    this.client = clientOf(pglite);
  }

  static async open(dataDir: string | null): Promise<PgliteDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pglite = dataDir ? await PGlite.create(dataDir, { parsers }) : await PGlite.create({ parsers });
    return new PgliteDatabase(pglite);
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
    return this.exclusive(() => this.client.query<T>(text, params));
  }

  exec(text: string): Promise<void> {
    return this.exclusive(() => this.client.exec(text));
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.pglite.transaction((tx) => fn(clientOf(tx))));
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.pglite.closed) await this.pglite.close();
    });
  }
}
