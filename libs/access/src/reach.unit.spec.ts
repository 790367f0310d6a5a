import { systemActor, type Actor, type Role } from './actor.js';
import { coachFilter, covers, WorkerReach, type Memberships, type MembershipRole } from './reach.js';

const directory: Record<string, { organisationId: string; roles: MembershipRole[] }> = {
  ann: { organisationId: 'org-a', roles: ['coach'] },
  carla: { organisationId: 'org-a', roles: ['coach'] },
  'admin-a': { organisationId: 'org-a', roles: ['org-admin'] },
  bob: { organisationId: 'org-b', roles: ['coach'] },
  'coach-b': { organisationId: 'org-b', roles: ['coach'] },
};
const memberships: Memberships = {
  membershipOf: async (sub) => directory[sub] ?? null,
  membersOf: async (id) => Object.keys(directory).filter((sub) => directory[sub].organisationId === id),
};
const reach = new WorkerReach(memberships);
const user = (sub: string, ...roles: Role[]): Actor => ({ sub, roles });

describe('WorkerReach: which workers a caller reaches', () => {
  it('given a screener, an admin or a system component, then every worker', async () => {
    for (const caller of [user('s', 'screener'), user('a', 'admin'), user('x', 'coach', 'admin'), systemActor('follow-up-check')]) {
      expect(await reach.of(caller)).toEqual({ all: true });
    }
  });

  it("given a coach, then their own workers only (whether or not they're a member)", async () => {
    expect(await reach.reaches(user('ann', 'coach'), 'ann')).toBe(true);
    expect(await reach.reaches(user('ann', 'coach'), 'carla')).toBe(false);
    expect(await reach.reaches(user('stranger', 'coach'), 'stranger')).toBe(true);
    expect(await reach.reaches(user('ann', 'coach'), null)).toBe(false);
  });

  it("given an org-admin member, then the workers of every member of their organisation; another organisation's none", async () => {
    const admin = user('admin-a', 'org-admin');
    expect(coachFilter(await reach.of(admin))?.sort()).toEqual(['admin-a', 'ann', 'carla']);
    expect(await reach.reaches(admin, 'bob')).toBe(false);
  });

  it('given org-admin in the token but not in the directory, then nothing', async () => {
    expect(await reach.of(user('ann', 'org-admin'))).toEqual({ all: false, coaches: [] });
    expect(await reach.of(user('nobody', 'org-admin'))).toEqual({ all: false, coaches: [] });
  });

  it('given several roles, then the union of their reaches', async () => {
    const both = await reach.of(user('bob', 'coach', 'org-admin'));
    expect(covers(both, 'bob')).toBe(true);
    expect(covers(both, 'coach-b')).toBe(false); // bob is no org-admin member: coach reach only
    const analyst = await reach.of(user('ann', 'analyst'));
    expect(covers(analyst, 'ann')).toBe(false);
  });
});
