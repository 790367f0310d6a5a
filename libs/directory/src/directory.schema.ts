import type { Migration } from '#sql/migrations.js';

/**
 * The directory: the organisations of the sector and who works for which (api.md third round,
 * "Organisations and the directory"). Tables, not events: the directory is reference data that
 * every request reads (scope, pick-lists) and whose uniqueness rules (one enterprise number, one
 * organisation per member) the database enforces; every change is recorded in the audit trail.
 *
 * `organisation_id` is a random UUID; `enterprise_number` the ten digits of the KBO/BCE number
 * (0123456749), shown as 0123.456.749. `province` is derived from `postal_code` when written.
 * `search_words` holds the name's words folded to lower case without accents, for prefix search.
 */
export const DIRECTORY_SCHEMA: Migration = {
  version: 20,
  name: 'directory: organisations, organisation_members',
  sql: `
CREATE TABLE organisations (
  organisation_id text PRIMARY KEY,
  enterprise_number text NOT NULL UNIQUE CHECK (enterprise_number ~ '^[01][0-9]{9}$'),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('maatwerkbedrijf', 'lde', 'vdab', 'local-government', 'other')),
  postal_code text NOT NULL CHECK (postal_code ~ '^[1-9][0-9]{3}$'),
  province text NOT NULL,
  programmes text[] NOT NULL CHECK (cardinality(programmes) > 0),
  search_words text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisations_by_province ON organisations (province, organisation_id);
CREATE TABLE organisation_members (
  sub text PRIMARY KEY,
  organisation_id text NOT NULL REFERENCES organisations (organisation_id),
  display_name text NOT NULL,
  roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['coach', 'screener', 'org-admin']::text[]),
  search_words text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_members_by_organisation ON organisation_members (organisation_id, sub);`,
};
