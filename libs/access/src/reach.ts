import { isSystemActor, type Caller } from './actor.js';

/** Nest token of the `Memberships` port. */
export const MEMBERSHIPS = Symbol('Memberships');

/** Membership roles the directory records (a token's roles are separate: api.md "Organisations"). */
export type MembershipRole = 'coach' | 'screener' | 'org-admin';

/** Who works for which organisation (the directory's `organisation_members`). */
export interface Memberships {
  membershipOf(sub: string): Promise<{ organisationId: string; roles: MembershipRole[] } | null>;
  /** every member's sub */
  membersOf(organisationId: string): Promise<string[]>;
}

/** The workers a caller reaches: every one, or those whose current coach is one of `coaches`. */
export type Reach = { readonly all: true } | { readonly all: false; readonly coaches: readonly string[] };

const EVERY_WORKER: Reach = { all: true };

/**
 * Object-level authorization, decided in one place for commands, reads and lists alike: which
 * workers a caller reaches. Screeners, admins and system components: every worker. A coach: the
 * workers assigned to them (member of an organisation or not). An org-admin: the workers whose
 * coach is a member of the organisation where the org-admin is a member with role `org-admin`
 * (none when there is no such organisation). Roles combine as a union. Read on every call, so a
 * change in the directory holds from the next request on.
 */
export class WorkerReach {
  constructor(private readonly memberships: Memberships) {}

  async of(caller: Caller): Promise<Reach> {
    if (isSystemActor(caller)) return EVERY_WORKER;
    const { sub, roles } = caller;
    if (roles.includes('screener') || roles.includes('admin')) return EVERY_WORKER;
    const coaches = new Set<string>();
    if (roles.includes('coach')) coaches.add(sub);
    const administered = await this.administeredOrganisation(caller);
    if (administered !== null) for (const member of await this.memberships.membersOf(administered)) coaches.add(member);
    return { all: false, coaches: [...coaches] };
  }

  /**
   * The organisation the caller administers: their token says org-admin and the directory has
   * them as a member with role org-admin there (null: none). The one answer for worker reach,
   * lists by organisation and an org-admin's own statistics.
   */
  async administeredOrganisation(caller: Caller): Promise<string | null> {
    if (isSystemActor(caller) || !caller.roles.includes('org-admin')) return null;
    const membership = await this.memberships.membershipOf(caller.sub);
    return membership?.roles.includes('org-admin') ? membership.organisationId : null;
  }

  /** Whether the caller reaches a worker whose current coach is `coach` (null: none). */
  async reaches(caller: Caller, coach: string | null): Promise<boolean> {
    return covers(await this.of(caller), coach);
  }
}

/** Whether `reach` holds a worker whose current coach is `coach`. */
export function covers(reach: Reach, coach: string | null): boolean {
  return reach.all || (coach !== null && reach.coaches.includes(coach));
}

/** The coaches a list is filtered by (`coach = ANY($n)`), or null for every worker. */
export function coachFilter(reach: Reach): string[] | null {
  return reach.all ? null : [...reach.coaches];
}
