import pg from 'pg';
import type { QueryResult, SqlClient, SqlDatabase } from './sql.js';

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;
const INTERVAL_OID = 1186;
const TEXT_ARRAY_OID = 1009;
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];

/**
 * The JS types both adapters return (see `PgliteDatabase`): int8, numeric and count(*) as strings,
 * dates as `YYYY-MM-DD` strings (never a JS Date in the server's time zone), intervals as text.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === DATE_OID || oid === INTERVAL_OID) return (value: string) => value;
    if (oid === DATE_ARRAY_OID) return pg.types.getTypeParser(TEXT_ARRAY_OID as TypeId, 'text') as (value: string) => unknown;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

function clientOf(client: pg.PoolClient | pg.Pool): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const result = await client.query(text, params as unknown[]);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      // Without parameters `pg` uses the simple protocol, which runs several statements.
      await client.query(text);
    },
  };
}

/** PostgreSQL through a `pg` pool; with `schema`, every connection works in that schema (created if missing). */
export class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  private readonly client: SqlClient;

  private constructor(private readonly pool: pg.Pool) {
    this.client = clientOf(pool);
  }

  static async connect(url: string, options: { schema?: string; poolSize?: number } = {}): Promise<PostgresDatabase> {
    const { schema, poolSize = 10 } = options;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
    }
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error(`invalid pool size ${poolSize}`);
    if (schema) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } catch (error) {
        // Two processes creating the same schema at once: the loser sees a unique violation.
        if ((error as { code?: string }).code !== '23505') throw error;
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      types,
      // search_path is a startup parameter: every pooled connection uses the schema from its first statement.
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on the next checkout.
    });
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresDatabase(pool);
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
    return this.client.query<T>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.client.exec(text);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await connection.query('BEGIN');
      const result = await fn(clientOf(connection));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch((rollbackError: Error) => {
        // The connection is unusable: the pool must discard it rather than hand it out mid-transaction.
        broken = rollbackError;
      });
      throw error;
    } finally {
      connection.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
