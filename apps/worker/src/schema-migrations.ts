import { IDEMPOTENCY_EXPIRY_SCHEMA, IDEMPOTENCY_SCHEMA } from '../../api/src/http/idempotency.schema.js';
import { BROWSER_SESSIONS_SCHEMA } from '../../api/src/web/web.schema.js';
import { FOLLOW_UP_SCHEDULE_SCHEMA, PROVISIONAL_RESULTS_SCHEMA } from './follow-ups/follow-up-schedule.schema.js';
import { EMPLOYMENT_REGISTER_SCHEMA } from '#employment-register/employment-register.schema.js';
import { EVENT_STORE_IDENTITY_SCHEMA, EVENT_STORE_SCHEMA } from '#event-store/sql-event-store.schema.js';
import { INSZ_LOOKUP_SCHEMA, PERSONAL_DATA_SCHEMA, WRAPPED_WORKER_KEYS_SCHEMA } from '#personal-data/personal-data.schema.js';
import { CHECKPOINT_EVENT_STORE_SCHEMA, PROJECTION_RUNNER_SCHEMA } from '#projections/projection-runner.schema.js';
import { AUDIT_LOG_SCHEMA, AUDIT_LOG_TIMESTAMPS_SCHEMA } from '#audit/audit-log.schema.js';
import { CASELOAD_COUNTS_SCHEMA, CASELOAD_SCHEMA, CASELOAD_STEPS_SCHEMA } from '#read-models/caseload/caseload.schema.js';
import { PUBLICATIONS_SCHEMA } from '#read-models/statistics-publishing/publications.schema.js';
import { FLOW_COUNTS_SCHEMA } from '#read-models/outflow-statistics/flow-counts.schema.js';
import { DECLARATION_REVISIONS_SCHEMA } from '#application/declaration-revisions.schema.js';
import { DIRECTORY_SCHEMA } from '#directory/directory.schema.js';
import { HISTORY_IMPORT_OWNERS_SCHEMA, HISTORY_IMPORTS_SCHEMA } from '../../api/src/imports/imports.schema.js';
import { NAME_SEARCH_SCHEMA } from '#read-models/caseload/name-search.js';
import { PLACEMENT_FACTS_SCHEMA } from '#read-models/group-statistics/placement-facts.schema.js';
import { assertOrdered, runMigrations, type Migration, type MigrationReport } from '#sql/migrations.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * Every schema change of the service, in the order they apply. Each component keeps its SQL in
 * its own folder (`*.schema.ts`); this list, which belongs to the applications (libraries never
 * import an application), is the one place that orders them. Each process hands it to
 * `PlatformModule.forRoot`, which runs it once, at process start, before anything touches a table.
 *
 * Versions 1–7 are the baseline: the tables as the releases before `schema_migrations` made
 * them, written so that they also run on such a database (IF NOT EXISTS, the worker_keys
 * upgrade). From version 8 on, a migration may assume the versions before it. A released
 * migration is never edited; a change is a new entry at the end. Rolling deploys run old and
 * new processes side by side, so a migration must leave the schema usable by the release
 * before it (add, backfill, and only in a later release drop).
 */
export const SCHEMA_MIGRATIONS: readonly Migration[] = [
  EVENT_STORE_SCHEMA,
  PROJECTION_RUNNER_SCHEMA,
  FLOW_COUNTS_SCHEMA,
  FOLLOW_UP_SCHEDULE_SCHEMA,
  EMPLOYMENT_REGISTER_SCHEMA,
  PERSONAL_DATA_SCHEMA,
  IDEMPOTENCY_SCHEMA,
  EVENT_STORE_IDENTITY_SCHEMA,
  CHECKPOINT_EVENT_STORE_SCHEMA,
  PUBLICATIONS_SCHEMA,
  PROVISIONAL_RESULTS_SCHEMA,
  INSZ_LOOKUP_SCHEMA,
  CASELOAD_SCHEMA,
  AUDIT_LOG_SCHEMA,
  IDEMPOTENCY_EXPIRY_SCHEMA,
  CASELOAD_STEPS_SCHEMA,
  BROWSER_SESSIONS_SCHEMA,
  DECLARATION_REVISIONS_SCHEMA,
  DIRECTORY_SCHEMA,
  WRAPPED_WORKER_KEYS_SCHEMA,
  AUDIT_LOG_TIMESTAMPS_SCHEMA,
  PLACEMENT_FACTS_SCHEMA,
  NAME_SEARCH_SCHEMA,
  HISTORY_IMPORTS_SCHEMA,
  HISTORY_IMPORT_OWNERS_SCHEMA,
  CASELOAD_COUNTS_SCHEMA,
];
assertOrdered(SCHEMA_MIGRATIONS);

/** Brings the database to the latest schema (see SCHEMA_MIGRATIONS); safe from any number of processes at once. */
export function migrateSchema(db: SqlDatabase): Promise<MigrationReport> {
  return runMigrations(db, SCHEMA_MIGRATIONS);
}
