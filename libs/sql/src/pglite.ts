import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import { createDataDir, EMBEDDED_SETTINGS } from './pglite-data-dir.js';
import type { QueryResult, SqlClient, SqlDatabase } from './sql.js';

const INT8_OID = 20;
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
 * V8 compiles WebAssembly twice: at once with its baseline compiler (Liftoff), then hot functions
 * again with its optimizing one (TurboFan). For PGlite's 9 MB module the second tier costs
 * 40-75 MB of resident memory (its compilation zones and code), and buys nothing measurable on
 * the service's queries, whose time goes to the JS side and file I/O (docs/toolchain.md,
 * "Footprint"). WASM flags are read when a module is compiled, so this takes effect when set
 * before the first PGlite starts; PGlite is the only WebAssembly in the process.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

/** The script that creates the database's files in a process of its own (compiled next to this module). */
const CREATE_SCRIPT = fileURLToPath(new URL('./pglite-create.js', import.meta.url));

/**
 * Creates the database files in an empty or missing `dataDir`, from the packed template
 * (pglite-data-dir.ts) or, when it does not fit the installed PGlite, by initdb, which
 * peaks near 800 MB resident; and WASM memory is never returned to the system. So either runs in
 * a short-lived child process, into a staging folder renamed into place once complete (a crash
 * leaves no half-made database), and the serving process only ever opens existing files
 * (docs/toolchain.md, "Footprint"). Run from the TypeScript sources (Jest), where the compiled
 * script does not exist, it runs in this process.
 */
export async function initializeDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  // Anything else in the folder is PGlite's to judge (it refuses what is not a database).
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  mkdirSync(dirname(dataDir), { recursive: true });
  const staging = `${dataDir}.initdb-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  if (existsSync(CREATE_SCRIPT)) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CREATE_SCRIPT, staging], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`creating the embedded database failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`)),
      );
    });
  } else {
    await createDataDir(staging);
  }
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(staging, dataDir);
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
    if (dataDir) await initializeDataDir(dataDir);
    baselineWasmOnly();
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
