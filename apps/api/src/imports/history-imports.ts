import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readImportRow, type ImportRow, type RowError } from '#application/history-import/import-rows.js';
import { decidePersonHistory, type ImportDirectory, type Sealed } from '#application/history-import/person-history.js';
import { toNewEvent } from '#application/serialization.js';
import { COMMAND_METADATA } from '#application/worker-commands.js';
import { comparePositions, type EventStore, type NewEvent } from '#event-store/event-store.js';
import { workerStreamId } from '#domain/events.js';
import { Directory } from '#directory/directory.js';
import { PersonalData } from '#personal-data/personal-data.js';
import type { Clock } from '#platform/clock.js';
import type { ServiceConfig } from '#platform/config.js';
import { CLOCK, EVENT_STORE, SERVICE_CONFIG, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { IMPORT_BODY_LIMIT } from '../http/route-config.js';
import { checkFile, readRecords, UnreadableFileError, type ImportFormat } from './file-readers.js';
import { rememberingAnswers } from './import-directory.js';

/** The largest file an import takes (a million rows of the template is about 150 MB): the route's body limit. */
export const MAX_IMPORT_BYTES = IMPORT_BODY_LIMIT;
/** Rows read from the file per statement that spools them. */
const SPOOL_BATCH = 2_000;
/**
 * A person's rows within one spool batch are sealed together, up to this many in one spool
 * record: one cipher, one table row and one index entry for a person's rows instead of one each.
 * The cap bounds what a page of records holds.
 */
const SPOOL_GROUP = 8;
/**
 * Rows handed over at once: of the second pass, and of the third, where a page's persons are
 * claimed and appended at once, so that the claims and the group commit send full batches with
 * two in flight. The spool records are read a quarter of this many per query (at most twice as
 * many rows, sealed) and opened a slice of about this many rows at a time.
 */
const VALIDATION_PAGE = 2_000;
const WRITE_PAGE = 5_000;
/** How often a process says that its imports are alive, and after how long without it another process fails them. */
const HEARTBEAT_MS = 15_000;
const ABANDONED_AFTER_SECONDS = 120;
/** Errors kept per import (the count goes on): enough to fix a file, not a copy of a broken one. */
const MAX_STORED_ERRORS = 10_000;

export type ImportStatus = 'validating' | 'importing' | 'done' | 'failed';

export interface ImportProgress {
  importId: string;
  status: ImportStatus;
  dryRun: boolean;
  rows: number;
  rowsDone: number;
  workers: number;
  errors: number;
  position: string | null;
}

export class ImportTooLargeError extends Error {}

interface ReceivedFile {
  importId: string;
  /** an earlier import of the same bytes that succeeded: nothing is done again */
  repeatOf: string | null;
}

/**
 * A spool record of an import (rows of one person), sealed under the import's own key while it
 * waits in the spool table. The key is new for every import, so a counter is a unique nonce, and
 * cheaper than random bytes a record.
 */
function sealer(key: Buffer): (value: unknown) => string {
  let counter = 0n;
  return (value) => {
    const iv = Buffer.alloc(12);
    iv.writeBigUInt64BE((counter += 1n), 4);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  };
}

function unseal<T>(key: Buffer, sealed: string): T {
  const [iv, tag, data] = sealed.split('.');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')) as T;
}

/** A person's rows as the second pass reads them: ordered by row within the person. */
interface Person {
  person: string;
  rows: ImportRow[];
}

/**
 * History imports (docs/import.md). A file is spooled to disk while it arrives (never held in
 * memory), checked (content type, header), then, in the background:
 *
 * 1. validating: read streaming, each row checked on its own and put, sealed, in a spool table
 *    keyed by the person's INSZ hash;
 * 2. the same pass goes on per person (the spool table read in person order, a page at a time):
 *    an INSZ already registered is a row error, and every person's rows are decided in order with
 *    the domain's own `decide`, each at its own date;
 * 3. only when no row has an error, and not on a dry run, importing: the same pages again, each
 *    person's INSZ claimed, their rows decided again with the real ciphertexts and appended as one
 *    new stream (through the event store's group commit), the admin as actor and the import's id
 *    in the metadata.
 */
@Injectable()
export class HistoryImports implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('HistoryImports');
  private readonly running = new Set<Promise<void>>();
  /** This process, as the owner of the imports it runs. */
  private readonly owner = randomUUID();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly directory: Directory,
    private readonly personalData: PersonalData,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.failAbandoned();
    this.heartbeat = setInterval(() => void this.beat().catch((error: Error) => this.logger.warn(`import heartbeat: ${error.message}`)), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  private async beat(): Promise<void> {
    await this.db.query(`UPDATE history_imports SET heartbeat_at = now() WHERE owner = $1 AND status IN ('validating', 'importing')`, [this.owner]);
    await this.failAbandoned();
  }

  /**
   * Imports whose process stopped (no heartbeat for ABANDONED_AFTER_SECONDS) end `failed`, with a
   * file-level error that says what was written: nothing while validating; while importing, the
   * persons appended before the stop (each one whole), which a dry run of the same file then
   * lists as already registered. Imports that a live process runs keep their heartbeat fresh.
   */
  async failAbandoned(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ import_id: string; status: ImportStatus }>(
        `SELECT import_id, status FROM history_imports
          WHERE status IN ('validating', 'importing') AND heartbeat_at < now() - make_interval(secs => $1)
          FOR UPDATE SKIP LOCKED`,
        [ABANDONED_AFTER_SECONDS],
      );
      for (const { import_id: importId, status } of rows) {
        const message =
          status === 'validating'
            ? 'the service stopped while it checked this file; nothing was written: send the file again'
            : 'the service stopped while it wrote this file; the persons written before the stop are kept (each whole), the others are not: a dry run of the same file lists the written ones as already registered, remove their rows and import the rest';
        await tx.query(
          `INSERT INTO history_import_errors (import_id, row, insz, field, code, rule, message) VALUES ($1, 0, NULL, '', 'interrupted', NULL, $2)`,
          [importId, message],
        );
        await tx.query(`UPDATE history_imports SET status = 'failed', errors = errors + 1, finished_at = now() WHERE import_id = $1`, [importId]);
        await tx.query('DELETE FROM history_import_rows WHERE import_id = $1', [importId]);
        this.logger.warn(`import ${importId} was ${status} in a process that stopped: failed`);
      }
    });
  }

  private spoolPath(importId: string): string {
    return join(this.config.dataDir, 'imports', `${importId}.upload`);
  }

  /**
   * Spools the body to disk (refusing it past MAX_IMPORT_BYTES), checks that it is what its
   * content type says with the template's header, and starts the import; throws
   * UnreadableFileError (400) or ImportTooLargeError (413), having written nothing.
   */
  async receive(body: Readable, format: ImportFormat, options: { dryRun: boolean; allowUnregistered: boolean; actor: string }): Promise<ReceivedFile> {
    const importId = randomUUID();
    const path = this.spoolPath(importId);
    await mkdir(join(this.config.dataDir, 'imports'), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > MAX_IMPORT_BYTES) throw new ImportTooLargeError(`an import file holds at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`);
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(path),
      );
      await checkFile(path, format);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    const { rows } = await this.db.query<{ import_id: string }>(`SELECT import_id FROM history_imports WHERE sha256 = $1 AND status = 'done' AND NOT dry_run`, [
      sha256,
    ]);
    if (rows[0] && !options.dryRun) {
      await rm(path, { force: true });
      return { importId: rows[0].import_id, repeatOf: rows[0].import_id };
    }
    await this.db.query(
      `INSERT INTO history_imports (import_id, sha256, format, dry_run, allow_unregistered, status, actor, owner)
       VALUES ($1, $2, $3, $4, $5, 'validating', $6, $7)`,
      [importId, sha256, format, options.dryRun, options.allowUnregistered, options.actor, this.owner],
    );
    const run = this.run(importId, path, format, { ...options, sha256 }).finally(() => this.running.delete(run));
    this.running.add(run);
    return { importId, repeatOf: null };
  }

  /** Waits for the imports this process is running (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.running]);
  }

  async progress(importId: string): Promise<ImportProgress | null> {
    const { rows } = await this.db.query<{
      status: ImportStatus;
      dry_run: boolean;
      rows: number;
      rows_done: number;
      workers: number;
      errors: number;
      position: string | null;
    }>('SELECT status, dry_run, rows, rows_done, workers, errors, position FROM history_imports WHERE import_id = $1', [importId]);
    const row = rows[0];
    if (!row) return null;
    return {
      importId,
      status: row.status,
      dryRun: row.dry_run,
      rows: Number(row.rows),
      rowsDone: Number(row.rows_done),
      workers: Number(row.workers),
      errors: Number(row.errors),
      position: row.status === 'done' ? row.position : null,
    };
  }

  async errors(importId: string): Promise<RowError[]> {
    const { rows } = await this.db.query<{ row: number; insz: string | null; field: string; code: string; rule: string | null; message: string }>(
      'SELECT row, insz, field, code, rule, message FROM history_import_errors WHERE import_id = $1 ORDER BY row, n',
      [importId],
    );
    return rows.map((r) => ({ row: Number(r.row), insz: r.insz, field: r.field, code: r.code, rule: r.rule, message: r.message }));
  }

  private async run(
    importId: string,
    path: string,
    format: ImportFormat,
    options: { dryRun: boolean; allowUnregistered: boolean; actor: string; sha256: string },
  ): Promise<void> {
    const key = randomBytes(32);
    const directory = rememberingAnswers(this.directory);
    let errorCount = 0;
    const recordErrors = async (errors: RowError[]) => {
      if (errors.length === 0) return;
      const kept = errors.slice(0, Math.max(0, MAX_STORED_ERRORS - errorCount));
      errorCount += errors.length;
      if (kept.length > 0) {
        await this.db.query(
          `INSERT INTO history_import_errors (import_id, row, insz, field, code, rule, message)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
          [
            importId,
            kept.map((e) => e.row),
            kept.map((e) => e.insz),
            kept.map((e) => e.field),
            kept.map((e) => e.code),
            kept.map((e) => e.rule),
            kept.map((e) => e.message),
          ],
        );
      }
      await this.db.query('UPDATE history_imports SET errors = $2 WHERE import_id = $1', [importId, errorCount]);
    };
    try {
      const rowCount = await this.spoolRows(importId, path, format, key, recordErrors);
      await this.db.query('UPDATE history_imports SET rows = $2, rows_done = 0 WHERE import_id = $1', [importId, rowCount]);
      let workers = 0;
      await this.eachPerson(importId, key, VALIDATION_PAGE, async (persons, rowsSoFar) => {
        await recordErrors(await this.validatePersons(persons, directory, options.allowUnregistered));
        workers += persons.length;
        await this.db.query('UPDATE history_imports SET rows_done = $2, workers = $3 WHERE import_id = $1', [importId, rowsSoFar, workers]);
      });
      if (errorCount > 0 || options.dryRun) {
        await this.finish(importId, errorCount > 0 ? 'failed' : 'done', null);
        return;
      }
      await this.db.query(`UPDATE history_imports SET status = 'importing', rows_done = 0 WHERE import_id = $1`, [importId]);
      let last: string | null = null;
      await this.eachPerson(importId, key, WRITE_PAGE, async (persons, rowsSoFar) => {
        const { position, errors } = await this.writePersons(importId, persons, directory, options);
        await recordErrors(errors);
        if (position && (last === null || comparePositions(position, last) > 0)) last = position;
        await this.db.query('UPDATE history_imports SET rows_done = $2 WHERE import_id = $1', [importId, rowsSoFar]);
      });
      await this.finish(importId, errorCount > 0 ? 'failed' : 'done', last);
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`import ${importId} failed: ${message}`);
      const code = error instanceof UnreadableFileError ? error.code : 'unreadable';
      await recordErrors([{ row: 0, insz: null, field: '', code, rule: null, message }]).catch(() => undefined);
      await this.finish(importId, 'failed', null).catch(() => undefined);
    } finally {
      await rm(path, { force: true });
    }
  }

  private async finish(importId: string, status: ImportStatus, position: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM history_import_rows WHERE import_id = $1', [importId]);
      await tx.query('UPDATE history_imports SET status = $2, position = $3, finished_at = now() WHERE import_id = $1', [importId, status, position]);
    });
  }

  /**
   * First pass: every row read and checked on its own, the good ones spooled, sealed, by person:
   * a person's rows of one batch in one record (at most SPOOL_GROUP), keyed by its first row.
   * A person's records are runs of their rows in file order, so reading them by first row gives
   * the person's rows in file order.
   */
  private async spoolRows(
    importId: string,
    path: string,
    format: ImportFormat,
    key: Buffer,
    recordErrors: (errors: RowError[]) => Promise<void>,
  ): Promise<number> {
    const seal = sealer(key);
    let rows = 0;
    let batch: { person: string; row: number; sealed: string }[] = [];
    /** the batch's open record of each person, by INSZ hash; and the hashes of the batch's INSZs */
    let open = new Map<string, ImportRow[]>();
    let hashes = new Map<string, string>();
    let rowsInBatch = 0;
    let errors: RowError[] = [];
    const close = (person: string, group: ImportRow[]) => batch.push({ person, row: group[0].row, sealed: seal(group) });
    const write = async (spooled: typeof batch, rowErrors: RowError[], rowsRead: number) => {
      if (spooled.length > 0) {
        await this.db.query(`INSERT INTO history_import_rows (import_id, person, row, sealed) SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[])`, [
          importId,
          spooled.map((b) => b.person),
          spooled.map((b) => b.row),
          spooled.map((b) => b.sealed),
        ]);
      }
      await recordErrors(rowErrors);
      await this.db.query('UPDATE history_imports SET rows_done = $2 WHERE import_id = $1', [importId, rowsRead]);
    };
    // One batch is written while the next is read: parsing and the database work at once.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      for (const [person, group] of open) close(person, group);
      const [spooled, rowErrors] = [batch, errors];
      batch = [];
      open = new Map();
      hashes = new Map();
      rowsInBatch = 0;
      errors = [];
      await writing;
      writing = write(spooled, rowErrors, rows);
      writing.catch(() => undefined);
    };
    for await (const { row, record } of readRecords(path, format)) {
      rows += 1;
      const read = readImportRow(row, record);
      if (read.row) {
        let person = hashes.get(read.row.insz);
        if (person === undefined) hashes.set(read.row.insz, (person = this.personalData.hashInsz(read.row.insz)));
        const group = open.get(person);
        if (!group) open.set(person, [read.row]);
        else if (group.push(read.row) === SPOOL_GROUP) {
          close(person, group);
          open.delete(person);
        }
        rowsInBatch += 1;
      } else errors.push(...read.errors);
      if (rowsInBatch + errors.length >= SPOOL_BATCH) await flush();
    }
    await flush();
    await writing;
    if (rows === 0) throw new Error('the file holds a header and no rows');
    return rows;
  }

  /**
   * The spooled rows, whole persons at a time, with the count of rows handed over so far. Records
   * are read `page / 4` at a time (the next while one is handled) and opened in slices of about
   * `page` rows: whole persons, so a slice ends before the person who takes it past `page`.
   */
  private async eachPerson(importId: string, key: Buffer, page: number, handle: (persons: Person[], rowsSoFar: number) => Promise<void>): Promise<void> {
    const records = page / 4;
    const read = (after: { person: string; row: number }) =>
      this.db.query<{ person: string; row: number; sealed: string }>(
        `SELECT person, row, sealed FROM history_import_rows
          WHERE import_id = $1 AND (person, row) > ($2, $3) ORDER BY person, row LIMIT ${records}`,
        [importId, after.person, after.row],
      );
    let persons: Person[] = [];
    let opened = 0;
    let rowsSoFar = 0;
    const handOver = async (whole: Person[]) => {
      rowsSoFar += whole.reduce((n, p) => n + p.rows.length, 0);
      await handle(whole, rowsSoFar);
    };
    let next = read({ person: '', row: 0 });
    for (;;) {
      const { rows } = await next;
      const end = rows.length < records;
      if (!end) {
        const lastRow = rows.at(-1)!;
        next = read({ person: lastRow.person, row: Number(lastRow.row) });
        next.catch(() => undefined);
      }
      for (const r of rows) {
        const current = persons.at(-1);
        if (current?.person !== r.person && opened >= page) {
          await handOver(persons);
          persons = [];
          opened = 0;
        }
        const group = unseal<ImportRow[]>(key, r.sealed);
        if (current?.person === r.person) current.rows.push(...group);
        else persons.push({ person: r.person, rows: group });
        opened += group.length;
      }
      if (end) break;
    }
    // The last person of a page may go on in the next one: only the end of the table ends them.
    if (persons.length > 0) await handOver(persons);
  }

  private async registered(persons: readonly Person[]): Promise<Set<string>> {
    const { rows } = await this.db.query<{ insz_hash: string }>('SELECT insz_hash FROM insz_lookup WHERE insz_hash = ANY($1::text[])', [
      persons.map((p) => p.person),
    ]);
    return new Set(rows.map((r) => r.insz_hash));
  }

  private decisionOptions(allowUnregistered: boolean) {
    return { today: this.clock.today(), policy: this.config.policy, allowUnregisteredEnterprises: allowUnregistered };
  }

  /** Second pass: a registered INSZ is an error; every other person's history is decided in order. */
  private async validatePersons(persons: readonly Person[], directory: ImportDirectory, allowUnregistered: boolean): Promise<RowError[]> {
    const registered = await this.registered(persons);
    const standIn: Sealed = {
      workerId: 'validation',
      inszCiphertext: 'validation',
      givenNameCiphertext: null,
      familyNameCiphertext: null,
      sealFreeText: async () => 'validation',
    };
    const errors: RowError[] = [];
    for (const { person, rows } of persons) {
      if (registered.has(person)) {
        const first = rows[0];
        errors.push({
          row: first.row,
          insz: first.insz.slice(0, 6),
          field: 'insz',
          code: 'rule',
          rule: 'worker-already-registered',
          message: 'this INSZ is already registered: its history is entered through the worker, not imported',
        });
        continue;
      }
      errors.push(...(await decidePersonHistory(rows, standIn, directory, this.decisionOptions(allowUnregistered))).errors);
    }
    return errors;
  }

  /** Third pass: each person claimed and appended as a new stream; the persons of a page at once (group commit). */
  private async writePersons(
    importId: string,
    persons: readonly Person[],
    directory: ImportDirectory,
    options: { allowUnregistered: boolean; actor: string },
  ): Promise<{ position: string | null; errors: RowError[] }> {
    const recordedAt = this.clock.now().toISOString();
    const results = await Promise.all(
      persons.map(async ({ person, rows }) => {
        const registration = rows[0].step.step === 'registration' ? rows[0].step.person : null;
        const candidate = randomUUID();
        const { workerId, sealed, sealFreeText } = await this.personalData.claimAndSeal(person, candidate, [
          rows[0].insz,
          registration?.givenName ?? null,
          registration?.familyName ?? null,
        ]);
        const first = rows[0];
        const refused = (message: string): { position: null; error: RowError } => ({
          position: null,
          error: { row: first.row, insz: first.insz.slice(0, 6), field: 'insz', code: 'rule', rule: 'worker-already-registered', message },
        });
        if (workerId !== candidate) return refused('this INSZ was registered while the import ran');
        const history = await decidePersonHistory(
          rows,
          {
            workerId,
            inszCiphertext: sealed[0]!,
            givenNameCiphertext: sealed[1],
            familyNameCiphertext: sealed[2],
            sealFreeText: async (text) => sealFreeText(text),
          },
          directory,
          this.decisionOptions(options.allowUnregistered),
        );
        if (history.errors.length > 0) return { position: null, error: history.errors[0] };
        const metadata = { actor: options.actor, correlationId: importId, causationId: null, recordedAt, importId };
        const events: NewEvent[] = history.steps.flatMap((step) =>
          step.events.map((event, i) => toNewEvent(event, i === 0 ? { ...metadata, [COMMAND_METADATA]: step.command.type } : metadata)),
        );
        try {
          const { position } = await this.store.appendToStream(workerStreamId(workerId), events, 0);
          return { position, error: null };
        } catch (error) {
          this.logger.warn(`import ${importId}: the history of one person could not be appended: ${(error as Error).message}`);
          return refused('this INSZ was registered while the import ran');
        }
      }),
    );
    let position: string | null = null;
    for (const result of results) if (result.position && (position === null || comparePositions(result.position, position) > 0)) position = result.position;
    return { position, errors: results.flatMap((r) => (r.error ? [r.error] : [])) };
  }
}
