import type { WorkerReach } from '#access/reach.js';
import type { TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import { ProblemException } from '../http/problem.js';
import type { Actor } from '../http/auth.js';

/** An org-admin's tables: small cells withheld from 5 up, whatever they ask. */
export const ORG_ADMIN_MIN_CELL = 5;

/**
 * What a caller may read: an analyst any table; an org-admin (who is no analyst) only their own
 * organisation's group, `organisation=<theirs>`, with `minCell` at least 5. Anything else is 403.
 */
export async function scopedSpec(reach: WorkerReach, actor: Actor, spec: TableSpec): Promise<TableSpec> {
  if (actor.roles.includes('analyst')) return spec;
  const own = await reach.administeredOrganisation(actor);
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
