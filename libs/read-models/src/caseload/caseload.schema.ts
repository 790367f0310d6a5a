import type { Migration } from '#sql/migrations.js';

/**
 * The caseload read model: one row per worker, answering "whose workers are these, where do they
 * stand". Personal data is kept only as the ciphertexts from the events (unreadable once the
 * worker's key is shredded); nothing here is derived from the INSZ. Rows are ordered by worker id,
 * which never changes, so keyset pages stay correct while workers are added or updated.
 */
export const CASELOAD_SCHEMA: Migration = {
  version: 13,
  name: 'caseload: caseload_workers',
  sql: `
CREATE TABLE IF NOT EXISTS caseload_workers (
  worker_id text PRIMARY KEY,
  coach text,
  programme text,
  status text NOT NULL CHECK (status IN ('registered', 'active', 'exited')),
  last_step_date date,
  version integer NOT NULL,
  insz_ciphertext text,
  given_name_ciphertext text,
  family_name_ciphertext text
);
CREATE INDEX IF NOT EXISTS caseload_workers_by_coach ON caseload_workers (coach, worker_id);
CREATE INDEX IF NOT EXISTS caseload_workers_by_status ON caseload_workers (status, worker_id);`,
};

/** Each worker's live steps, so that a retraction can be undone (caseload.projection.ts); a rebuild fills it. */
export const CASELOAD_STEPS_SCHEMA: Migration = {
  version: 16,
  name: 'caseload: caseload_workers.steps',
  sql: `
ALTER TABLE caseload_workers ADD COLUMN IF NOT EXISTS steps jsonb NOT NULL DEFAULT '[]';`,
};

/**
 * How many workers the caseload holds per (coach, programme, status), so that the total of a
 * list by coach, organisation (its members' coaches), programme or status is a sum over a few
 * rows instead of a count over every worker. Kept by statement triggers on caseload_workers, in
 * the transaction of the change: the counts hold whoever writes the rows (this release's
 * projection, a rebuild, or a process of the release before still running during a rolling
 * deploy), and each statement adds its changes in one upsert. A group whose workers all moved
 * elsewhere stays, at 0. Migration takes the table's lock before the triggers and the backfill,
 * so no change is missed or counted twice.
 */
export const CASELOAD_COUNTS_SCHEMA: Migration = {
  version: 82,
  name: 'caseload: caseload_counts per coach, programme and status',
  sql: `
LOCK TABLE caseload_workers IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE caseload_counts (
  coach text,
  programme text,
  status text NOT NULL,
  workers integer NOT NULL,
  CONSTRAINT caseload_counts_group UNIQUE NULLS NOT DISTINCT (coach, programme, status)
);
CREATE FUNCTION caseload_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The transition tables: added_rows (INSERT, UPDATE), removed_rows (UPDATE, DELETE).
  IF TG_OP = 'INSERT' THEN
    INSERT INTO caseload_counts AS c (coach, programme, status, workers)
    SELECT coach, programme, status, count(*) FROM added_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (coach, programme, status) DO UPDATE SET workers = c.workers + excluded.workers;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO caseload_counts AS c (coach, programme, status, workers)
    SELECT coach, programme, status, -count(*) FROM removed_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (coach, programme, status) DO UPDATE SET workers = c.workers + excluded.workers;
  ELSE
    INSERT INTO caseload_counts AS c (coach, programme, status, workers)
    SELECT coach, programme, status, sum(change) FROM (
      SELECT coach, programme, status, 1 AS change FROM added_rows
      UNION ALL SELECT coach, programme, status, -1 FROM removed_rows
    ) changes GROUP BY 1, 2, 3 HAVING sum(change) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (coach, programme, status) DO UPDATE SET workers = c.workers + excluded.workers;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER caseload_counts_insert AFTER INSERT ON caseload_workers REFERENCING NEW TABLE AS added_rows
  FOR EACH STATEMENT EXECUTE FUNCTION caseload_counts_follow();
CREATE TRIGGER caseload_counts_update AFTER UPDATE ON caseload_workers REFERENCING OLD TABLE AS removed_rows NEW TABLE AS added_rows
  FOR EACH STATEMENT EXECUTE FUNCTION caseload_counts_follow();
CREATE TRIGGER caseload_counts_delete AFTER DELETE ON caseload_workers REFERENCING OLD TABLE AS removed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION caseload_counts_follow();
INSERT INTO caseload_counts (coach, programme, status, workers)
SELECT coach, programme, status, count(*) FROM caseload_workers GROUP BY 1, 2, 3;`,
};
