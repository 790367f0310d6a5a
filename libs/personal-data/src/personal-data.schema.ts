import type { Migration } from '#sql/migrations.js';

/**
 * Per-worker encryption keys (baseline: idempotent). Also upgrades a table made before erasure
 * kept rows (key required, no shredded_at): databases of that release hold one.
 */
export const PERSONAL_DATA_SCHEMA: Migration = {
  version: 6,
  name: 'personal data: worker_keys (with the upgrade of the older shape)',
  sql: `
CREATE TABLE IF NOT EXISTS worker_keys (
  worker_id text PRIMARY KEY,
  key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  shredded_at timestamptz
);
-- Tables made before erasure kept a row: a key was required and there was no shredded_at.
ALTER TABLE worker_keys ALTER COLUMN key DROP NOT NULL;
ALTER TABLE worker_keys ADD COLUMN IF NOT EXISTS shredded_at timestamptz;`,
};

/**
 * The INSZ lookup: which worker holds an INSZ, by its keyed hash. Outside the event store, so that
 * erasure can delete it: nothing in the log is derived from the INSZ. The primary key makes the
 * claim of an INSZ atomic on every event store (PersonalData.claimAndSeal).
 */
export const INSZ_LOOKUP_SCHEMA: Migration = {
  version: 12,
  name: 'personal data: insz_lookup',
  sql: `
CREATE TABLE IF NOT EXISTS insz_lookup (
  insz_hash text PRIMARY KEY,
  worker_id text NOT NULL UNIQUE,
  claimed_at timestamptz NOT NULL DEFAULT now()
);`,
};

/**
 * Worker keys stored wrapped (envelope encryption, key-wrapping.ts): `kek_id` names the
 * key-encryption key that wrapped `key`. Rows of a store made before have no `kek_id`: their
 * keys are raw, and PersonalData.create wraps them at the next start.
 */
export const WRAPPED_WORKER_KEYS_SCHEMA: Migration = {
  version: 50,
  name: 'personal data: worker keys wrapped by a key-encryption key (kek_id)',
  sql: `ALTER TABLE worker_keys ADD COLUMN IF NOT EXISTS kek_id text;`,
};
