import type { SqlClient } from '#sql/sql.js';
import type { TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import { ProblemException } from '../http/problem.js';
import type { Actor } from '../http/auth.js';

/** An org-admin's tables: small cells withheld from 5 up, whatever they ask. */
export const ORG_ADMIN_MIN_CELL = 5;

/**
 * The organisation whose org-admin this `sub` is, from the directory (null: none). A small function
 * on purpose: the access library's Memberships port replaces it when it lands.
 */
export async function orgAdminOrganisation(db: SqlClient, sub: string): Promise<string | null> {
  const { rows } = await db.query<{ organisation_id: string }>("SELECT organisation_id FROM organisation_members WHERE sub = $1 AND 'org-admin' = ANY(roles)", [
    sub,
  ]);
  return rows[0]?.organisation_id ?? null;
}

/**
 * What a caller may read: an analyst any table; an org-admin (who is no analyst) only their own
 * organisation's group, `organisation=<theirs>`, with `minCell` at least 5. Anything else is 403.
 */
export async function scopedSpec(db: SqlClient, actor: Actor, spec: TableSpec): Promise<TableSpec> {
  if (actor.roles.includes('analyst')) return spec;
  const own = await orgAdminOrganisation(db, actor.sub);
  if (own === null || spec.organisation !== own) {
    throw ProblemException.of(
      403,
      'organisation-out-of-scope',
      'Not your organisation',
      own === null ? 'you administer no organisation' : `pass organisation=${own}: an organisation administrator reads their own organisation only`,
    );
  }
  return { ...spec, minCell: Math.max(spec.minCell ?? ORG_ADMIN_MIN_CELL, ORG_ADMIN_MIN_CELL) };
}
