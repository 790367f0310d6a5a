import pg from 'pg';
import type { QueryResult, SqlClient, SqlDatabase } from './sql.js';

const DATE_OID = 1082;

/** Dates stay `YYYY-MM-DD` strings (never a JS Date in the server's time zone); int8 and numeric stay strings. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

function clientOf(client: pg.PoolClient | pg.Pool): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const result = await client.query(text, params as unknown[]);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await client.query(text);
    },
  };
}

/** PostgreSQL through a `pg` pool; with `schema`, every connection works in that schema. */
export class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  private readonly client: SqlClient;

  private constructor(private readonly pool: pg.Pool) {
    this.client = clientOf(pool);
  }

  static async connect(url: string, options: { schema?: string; poolSize?: number } = {}): Promise<PostgresDatabase> {
    const { schema, poolSize = 10 } = options;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    if (schema) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on the next checkout.
    });
    await pool.query('SELECT 1');
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
    try {
      await connection.query('BEGIN');
      const result = await fn(clientOf(connection));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
