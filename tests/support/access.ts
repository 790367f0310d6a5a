import type { Actor, Role } from '#access/actor.js';
import { WorkerReach, type Memberships, type MembershipRole } from '#access/reach.js';

/** Memberships held in memory: organisation id → members (sub → roles). */
export function membershipsOf(organisations: Record<string, Record<string, MembershipRole[]>> = {}): Memberships {
  return {
    membershipOf: async (sub) => {
      for (const [organisationId, members] of Object.entries(organisations)) if (members[sub]) return { organisationId, roles: members[sub] };
      return null;
    },
    membersOf: async (organisationId) => Object.keys(organisations[organisationId] ?? {}),
  };
}

/** The reach of a directory with no organisations: screeners and admins reach all, a coach their own. */
export const reachWithoutDirectory = (): WorkerReach => new WorkerReach(membershipsOf());

/** A user with these roles. */
export const user = (sub: string, ...roles: Role[]): Actor => ({ sub, roles });

/** A user who reaches every worker (a screener), for tests whose point is not scope. */
export const staff = (sub: string): Actor => user(sub, 'screener');

/**
 * Two organisations in the directory, written directly (the directory's API is its own): org A
 * with the tests' default user `tester` as coach and `admin-a` as org-admin, org B with coach
 * `bob` and org-admin `admin-b`. Workers registered by the fixtures (coach `tester`) are org A's.
 */
export const ORGANISATION_A = '0f6b1a6e-0000-4000-8000-00000000000a';
export const ORGANISATION_B = '0f6b1a6e-0000-4000-8000-00000000000b';

export async function seedTwoOrganisations(db: { query(text: string, params?: unknown[]): Promise<unknown> }): Promise<void> {
  await db.query(
    `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes)
     VALUES ($1, '0123456749', 'Atelier A', 'maatwerkbedrijf', '9000', 'OVL', '{SW}'),
            ($2, '0200000043', 'Werkplaats B', 'lde', '2000', 'ANT', '{SW}')
     ON CONFLICT DO NOTHING`,
    [ORGANISATION_A, ORGANISATION_B],
  );
  await db.query(
    `INSERT INTO organisation_members (sub, organisation_id, display_name, roles)
     VALUES ('tester', $1, 'Tess Ter', '{coach}'), ('admin-a', $1, 'Anna Admin', '{org-admin}'),
            ('bob', $2, 'Bob B', '{coach}'), ('admin-b', $2, 'Bert Admin', '{org-admin}')
     ON CONFLICT DO NOTHING`,
    [ORGANISATION_A, ORGANISATION_B],
  );
}
