/** The roles a token may carry (api.md "Authentication and roles"; `org-admin`: third round). */
export const ROLES = ['screener', 'coach', 'analyst', 'admin', 'org-admin'] as const;
export type Role = (typeof ROLES)[number];

/** A user, as their token or browser session names them: JWT `sub` and the roles it carries. */
export interface Actor {
  sub: string;
  roles: Role[];
}

/**
 * A background component acting on its own authority (the six-month check, a guarantee's expiry,
 * revisions from imported declarations). It reaches every worker, and says so by being one: no
 * user's token ever yields this shape, and nothing treats an absent actor as "everyone".
 */
export interface SystemActor {
  sub: `system:${string}`;
  system: true;
}

/** Whoever a command or a read is for: a user or a system component. */
export type Caller = Actor | SystemActor;

export const systemActor = (name: string): SystemActor => ({ sub: `system:${name}`, system: true });

export const isSystemActor = (caller: Caller): caller is SystemActor => (caller as Partial<SystemActor>).system === true;
