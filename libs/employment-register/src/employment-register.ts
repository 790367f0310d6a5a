import type { CalendarDate } from '#domain/vocabulary.js';
import { answeredInOrder, Batcher } from '#sql/batcher.js';
import type { SqlDatabase } from '#sql/sql.js';

/** One employment declaration (Dimona) or IBO start, with the INSZ only as its keyed hash. */
export interface EmploymentDeclaration {
  inszHash: string;
  employerId: string;
  kind: 'employment' | 'ibo';
  startDate: CalendarDate;
  endDate: CalendarDate | null;
}

/**
 * The employment register port: what the six-month check asks. The SQL adapter holds imported
 * declarations; an adapter to an external register (Dimona) can replace it.
 */
export interface EmploymentRegister {
  /** Stores declarations; a repeat of the same declaration (person, employer, kind, start) replaces it. Returns how many were accepted. */
  record(declarations: readonly EmploymentDeclaration[]): Promise<number>;
  /** What covered `date` for the person: employment wins over IBO; null for neither. */
  statusOn(inszHash: string, date: CalendarDate): Promise<'employment' | 'ibo' | null>;
}

type Status = 'employment' | 'ibo' | null;

export class SqlEmploymentRegister implements EmploymentRegister {
  /** Checks running at the same time ask in one query. */
  private readonly lookups = new Batcher<{ inszHash: string; date: CalendarDate }, Status>(answeredInOrder((asked) => this.statusesOn(asked)));

  private constructor(private readonly db: SqlDatabase) {}

  /** On a migrated database (its table: employment-register.schema.ts). */
  static async create(db: SqlDatabase): Promise<SqlEmploymentRegister> {
    return new SqlEmploymentRegister(db);
  }

  async record(declarations: readonly EmploymentDeclaration[]): Promise<number> {
    if (declarations.length === 0) return 0;
    // Within one request the last repeat of a declaration wins (ON CONFLICT cannot touch a row twice).
    const unique = new Map(declarations.map((d) => [`${d.inszHash}|${d.employerId}|${d.kind}|${d.startDate}`, d]));
    const rows = [...unique.values()];
    await this.db.query(
      `INSERT INTO employment_declarations (insz_hash, employer_id, kind, start_date, end_date)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[])
       ON CONFLICT (insz_hash, employer_id, kind, start_date) DO UPDATE SET end_date = excluded.end_date`,
      [rows.map((d) => d.inszHash), rows.map((d) => d.employerId), rows.map((d) => d.kind), rows.map((d) => d.startDate), rows.map((d) => d.endDate)],
    );
    return declarations.length;
  }

  statusOn(inszHash: string, date: CalendarDate): Promise<Status> {
    return this.lookups.submit({ inszHash, date });
  }

  private async statusesOn(asked: readonly { inszHash: string; date: CalendarDate }[]): Promise<Status[]> {
    const { rows } = await this.db.query<{ kind: Status }>(
      `SELECT (SELECT d.kind FROM employment_declarations d
                WHERE d.insz_hash = u.insz_hash AND d.start_date <= u.day AND (d.end_date IS NULL OR d.end_date >= u.day)
                ORDER BY d.kind = 'employment' DESC LIMIT 1) AS kind
         FROM unnest($1::text[], $2::date[]) WITH ORDINALITY AS u(insz_hash, day, n)
        ORDER BY u.n`,
      [asked.map((a) => a.inszHash), asked.map((a) => a.date)],
    );
    return rows.map((row) => row.kind);
  }
}
