import { createSecretKey } from 'node:crypto';
import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import type { Secrets } from '../../../../libs/platform/src/secrets.js';
import { SECRETS } from '../../../../libs/platform/src/tokens.js';
import { stringProblem } from './input-rules.js';
import { ProblemException } from './problem.js';

export const ROLES = ['screener', 'coach', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  sub: string;
  roles: Role[];
}

const PUBLIC = 'auth:public';
const ALLOWED_ROLES = 'auth:roles';

/** The route needs no token (health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Only these roles may call the route. */
export const Roles = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

/** The authenticated user (JWT `sub` and `roles`). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<FastifyRequest & { actor: Actor }>().actor;
});

const unauthorized = (detail: string) =>
  ProblemException.of(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });

export function signToken(secret: string, actor: Actor, expiresInSeconds = 8 * 3600): string {
  return new JwtService({ secret }).sign({ roles: actor.roles }, { subject: actor.sub, expiresIn: expiresInSeconds, algorithm: 'HS256' });
}

/** The actor of a bearer `Authorization` header; throws the 401 problem when there is none or it is invalid. */
export function actorOf(jwt: JwtService, header: unknown): Actor {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)');
  let claims: { sub?: unknown; roles?: unknown };
  try {
    claims = jwt.verify(match[1]!);
  } catch (error) {
    throw unauthorized(`the token is not valid: ${(error as Error).message}`);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthorized('the token has no subject (sub)');
  if (stringProblem(claims.sub)) throw unauthorized(`the token's subject (sub) ${stringProblem(claims.sub)}`);
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
  return { sub: claims.sub, roles };
}

export function verifierFor(secret: string): JwtService {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
  // as a public key on every verify, which was an eighth of the API's CPU under load.
  return new JwtService({ secret: createSecretKey(Buffer.from(secret)), verifyOptions: { algorithms: ['HS256'] } });
}

/** Bearer JWT (HS256) with claims `sub` and `roles`; every route needs one unless `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly jwt: JwtService;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    this.jwt = verifierFor(secrets.jwtSecret);
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    request.actor = actorOf(this.jwt, request.headers.authorization);
    const { roles } = request.actor;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (allowed && !roles.some((role) => allowed.includes(role))) {
      throw ProblemException.of(403, 'forbidden', 'Forbidden', `this needs one of the roles ${allowed.join(', ')}`);
    }
    return true;
  }
}
