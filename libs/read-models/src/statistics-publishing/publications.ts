import { randomUUID } from 'node:crypto';
import { readCheckpoint } from '#projections/projection-runner.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { changesBetween, protectInProcess, tableAnswer, type CellChange, type Protector, type TableAnswer, type TableSpec } from './statistics-answers.js';

/**
 * Published statistics tables, frozen as the projections stood when they were published. Not a
 * projection: a rebuild of the read models leaves them alone, because a publication records what
 * was told to the outside world, not what the log says today.
 */

export interface PublicationSummary {
  publicationId: string;
  table: TableSpec['table'];
  year?: number;
  from?: number;
  to?: number;
  method?: string;
  /** null when published without small-cell suppression */
  minCell: number | null;
  by?: string;
  organisation?: string;
  /** the last event position the projections had processed when the table was frozen */
  position: string | null;
  publishedAt: string;
}

export interface Publication extends PublicationSummary {
  rows: TableAnswer['rows'];
  changes: CellChange[];
}

interface PublicationRow {
  id: string;
  spec: string;
  position: string | null;
  published_at: Date | string;
  frozen?: string;
}

const isoOf = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

function summaryOf(row: PublicationRow): PublicationSummary {
  const spec = JSON.parse(row.spec) as TableSpec;
  return { publicationId: row.id, ...spec, minCell: spec.minCell ?? null, position: row.position, publishedAt: isoOf(row.published_at) };
}

export class Publications {
  constructor(
    private readonly db: SqlDatabase,
    private readonly protector: Protector = protectInProcess,
  ) {}

  /**
   * Freezes the table as the read models stand: the checkpoint and the figures are read in one
   * repeatable-read transaction, so `position` is exactly the state the figures reflect.
   */
  async publish(spec: TableSpec, publishedBy: string, now: Date): Promise<{ publicationId: string; position: string | null; publishedAt: string }> {
    const publicationId = randomUUID();
    return this.db.transaction(async (tx: SqlClient) => {
      await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const position = await readCheckpoint(tx);
      const answer = await tableAnswer(tx, spec, this.protector);
      await tx.query('INSERT INTO stat_publications (id, spec, position, published_at, published_by, frozen) VALUES ($1, $2, $3, $4, $5, $6)', [
        publicationId,
        JSON.stringify(spec),
        position,
        now.toISOString(),
        publishedBy,
        JSON.stringify(answer.rows),
      ]);
      return { publicationId, position, publishedAt: now.toISOString() };
    });
  }

  /** The frozen table and the cells that differ in today's figures; null when unknown. */
  async get(publicationId: string): Promise<Publication | null> {
    const { rows } = await this.db.query<PublicationRow>('SELECT id, spec, position, published_at, frozen FROM stat_publications WHERE id = $1', [
      publicationId,
    ]);
    const row = rows[0];
    if (!row) return null;
    const frozen = JSON.parse(row.frozen!) as TableAnswer['rows'];
    // Today's figures protected the same way: like is compared with like.
    const current = await tableAnswer(this.db, JSON.parse(row.spec) as TableSpec, this.protector);
    return { ...summaryOf(row), rows: frozen, changes: changesBetween(frozen, current.rows) };
  }

  /** Oldest first; `after` is the publicationId of the last item of the previous page. */
  async list(limit: number, after: string | undefined): Promise<{ items: PublicationSummary[]; next: string | null } | null> {
    let afterSeq = 0;
    if (after !== undefined) {
      const { rows } = await this.db.query<{ seq: string }>('SELECT seq::text AS seq FROM stat_publications WHERE id = $1', [after]);
      if (!rows[0]) return null;
      afterSeq = Number(rows[0].seq);
    }
    const { rows } = await this.db.query<PublicationRow>(
      'SELECT id, spec, position, published_at FROM stat_publications WHERE seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, limit],
    );
    const items = rows.map(summaryOf);
    return { items, next: items.length === limit ? items.at(-1)!.publicationId : null };
  }
}
