import { seedTestDirectory, TEST_ORGANISATIONS } from './directory.js';
import type { SqlDatabase } from '#sql/sql.js';
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
export const ORGANISATION_A = TEST_ORGANISATIONS.a.organisationId;
export const ORGANISATION_B = TEST_ORGANISATIONS.b.organisationId;

/** The test directory (tests/support/directory.ts), with an org-admin `admin-a` in A and `admin-b` in B besides its own members. */
export async function seedTwoOrganisations(db: SqlDatabase): Promise<void> {
  await seedTestDirectory(db);
  await db.query(
    `INSERT INTO organisation_members (sub, organisation_id, display_name, roles)
     VALUES ('admin-a', $1, 'Anna Admin', '{org-admin}'), ('admin-b', $2, 'Bert Admin', '{org-admin}')
     ON CONFLICT DO NOTHING`,
    [ORGANISATION_A, ORGANISATION_B],
  );
}
