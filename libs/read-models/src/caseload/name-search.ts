import type { Migration } from '#sql/migrations.js';
import type { PersonalData } from '#personal-data/personal-data.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * Finding a worker by name without a name in the database. Names are stored only sealed under the
 * worker's key, so the caseload keeps, per worker, the keyed hashes (PersonalData.hashNamePrefix)
 * of every prefix of every word of the given and family name (`name_words`); a query matches when
 * every one of its words is among them. The hashes say nothing without the key, and erasure empties
 * them with the key (the erasure's transaction; a worker indexed later finds no key and gets none).
 *
 * The column is filled when it is needed: `NULL` means "not indexed yet" (a worker the caseload
 * projection has just written, every worker of a store made before this release, every row after
 * a rebuild), and a search first indexes those rows. The projection never touches it.
 */
export const NAME_SEARCH_SCHEMA: Migration = {
  version: 70,
  name: 'caseload: name_words (keyed hashes of name prefixes), next check by worker',
  sql: `
ALTER TABLE caseload_workers ADD COLUMN IF NOT EXISTS name_words text[];
CREATE INDEX IF NOT EXISTS caseload_workers_name_words ON caseload_workers USING gin (name_words);
CREATE INDEX IF NOT EXISTS caseload_workers_unindexed_names ON caseload_workers (worker_id) WHERE name_words IS NULL;
CREATE INDEX IF NOT EXISTS follow_up_checks_scheduled_by_worker ON follow_up_checks (worker_id, reference_date) WHERE status = 'scheduled';`,
};

/** Lower case, accents and other combining marks removed: `Ç` and `c`, `É` and `e` are one letter. */
export function foldName(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a name or a query: split on spaces and hyphens, folded. */
export function wordsOf(text: string): string[] {
  return foldName(text)
    .split(/[\s\-\u2010\u2011]+/u)
    .filter((word) => word.length > 0);
}

/** Every prefix of every word (1 character up to the whole word), each once. */
export function prefixesOf(names: readonly (string | null)[]): string[] {
  const prefixes = new Set<string>();
  for (const name of names) {
    for (const word of wordsOf(name ?? '')) {
      const chars = [...word];
      for (let i = 1; i <= chars.length; i++) prefixes.add(chars.slice(0, i).join(''));
    }
  }
  return [...prefixes];
}

const BATCH = 500;

export class NameSearch {
  constructor(
    private readonly db: SqlDatabase,
    private readonly personalData: PersonalData,
  ) {}

  /** The hashes a worker must carry to match `query` (every word must begin a word of a name); empty for a blank query. */
  queryHashes(query: string): string[] {
    return [...new Set(wordsOf(query))].map((word) => this.personalData.hashNamePrefix(word));
  }

  /** Indexes every worker not indexed yet; an erased worker (no key) gets an empty index. */
  async indexPending(): Promise<void> {
    for (;;) {
      const { rows } = await this.db.query<{ worker_id: string; given_name_ciphertext: string | null; family_name_ciphertext: string | null }>(
        `SELECT worker_id, given_name_ciphertext, family_name_ciphertext FROM caseload_workers WHERE name_words IS NULL ORDER BY worker_id LIMIT ${BATCH}`,
      );
      if (rows.length === 0) return;
      const keys = await this.personalData.keysOf(rows.map((row) => row.worker_id));
      const words = rows.map((row) => {
        const key = keys.get(row.worker_id);
        const names = [row.given_name_ciphertext, row.family_name_ciphertext].map((sealed) => this.personalData.open(key, sealed));
        return `{${prefixesOf(names)
          .map((prefix) => this.personalData.hashNamePrefix(prefix))
          .join(',')}}`;
      });
      await this.db.query(
        `UPDATE caseload_workers w SET name_words = i.words::text[]
           FROM unnest($1::text[], $2::text[]) AS i(worker_id, words)
          WHERE w.worker_id = i.worker_id AND w.name_words IS NULL`,
        [rows.map((row) => row.worker_id), words],
      );
      if (rows.length < BATCH) return;
    }
  }
}

/** In the erasure's transaction: the worker's name hashes go with the key. */
export const FORGET_NAME_WORDS = `UPDATE caseload_workers SET name_words = '{}' WHERE worker_id = $1`;
