import { Directory } from '#directory/directory.js';
import type { Actor } from '../http/auth.js';
import { invalidInput, ProblemException } from '../http/problem.js';
import { COACH_SUB } from '../workers/assign-coach/assign-coach.dto.js';

/**
 * Who may manage or list an organisation's members. Roles come from the token; the directory says
 * which organisation a sub belongs to. An admin manages every organisation; an org-admin only the
 * one where they are a member with role org-admin. The organisation itself is public to every
 * role, so another organisation's members answer 403, not 404.
 */
export async function requireMemberManager(directory: Directory, actor: Actor, organisationId: string): Promise<void> {
  if (actor.roles.includes('admin')) return;
  if (actor.roles.includes('org-admin') && (await memberWith(directory, actor, organisationId, 'org-admin'))) return;
  throw ProblemException.of(403, 'forbidden', 'Forbidden', "only an admin or this organisation's org-admin manages its members");
}

/** Admins and screeners list any organisation's members; org-admins and coaches only their own's. */
export async function requireMemberReader(directory: Directory, actor: Actor, organisationId: string): Promise<void> {
  if (actor.roles.includes('admin') || actor.roles.includes('screener')) return;
  for (const role of ['org-admin', 'coach'] as const) {
    if (actor.roles.includes(role) && (await memberWith(directory, actor, organisationId, role))) return;
  }
  throw ProblemException.of(403, 'forbidden', 'Forbidden', "only admins, screeners, and this organisation's org-admins and coaches list its members");
}

async function memberWith(directory: Directory, actor: Actor, organisationId: string, role: 'org-admin' | 'coach'): Promise<boolean> {
  const membership = await directory.membershipOf(actor.sub);
  return membership?.organisationId === organisationId && membership.roles.includes(role);
}

export const organisationNotFound = (organisationId: string) =>
  ProblemException.of(404, 'organisation-not-found', 'Unknown organisation', `no organisation has the id ${organisationId}`);

export const memberNotFound = (sub: string) => ProblemException.of(404, 'member-not-found', 'Unknown member', `${sub} is no member of this organisation`);

/** A member's sub as a coach is named (visible characters, 1–200); `system:` names the service's own components. */
export function requireSub(sub: string): void {
  if (!COACH_SUB.test(sub)) throw invalidInput([{ field: 'sub', code: 'bad-format', message: 'sub must be a user id: 1 to 200 visible characters' }]);
  if (sub.startsWith('system:'))
    throw invalidInput([{ field: 'sub', code: 'not-allowed', message: 'subs beginning with system: are reserved for the service' }]);
}
