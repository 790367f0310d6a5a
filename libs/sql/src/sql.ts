/**
 * The SQL port: one PostgreSQL dialect, two adapters — a `pg` pool (DATABASE_URL) and
 * embedded PGlite (files under DATA_DIR). The SQL event store and every read model use it.
 */

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface SqlClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations, DDL). */
  exec(text: string): Promise<void>;
}

export interface SqlDatabase extends SqlClient {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
