import { createSecretKey, timingSafeEqual } from 'node:crypto';
import { applyDecorators, createParamDecorator, Injectable, Logger, SetMetadata, type CanActivate, type ExecutionContext, type Provider } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { ServiceConfig } from '#platform/config.js';
import type { Secrets } from '#platform/secrets.js';
import { SECRETS, SERVICE_CONFIG } from '#platform/tokens.js';
import { sessionIdOf } from '../web/session-cookie.js';
import { stringProblem } from './input-rules.js';
import { ProblemException } from './problem.js';

export const ROLES = ['screener', 'coach', 'analyst', 'admin', 'org-admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  sub: string;
  roles: Role[];
}

/** Metadata keys of @Public() and @Roles(): the guard and the OpenAPI description read the same ones. */
export const PUBLIC = 'auth:public';
export const ALLOWED_ROLES = 'auth:roles';

/** Fastify route config member that marks a route public; the route gate (route-gate.ts) reads it. */
export const ROUTE_ACCESS = 'access';

/**
 * The route needs no token (health). Marks both the Nest handler (for AuthGuard) and the Fastify
 * route it becomes (for the route gate, which decides on the route the router resolved). Put it
 * on handlers, not controllers: Nest reads a route's Fastify config from its handler only.
 */
export const Public = () => applyDecorators(SetMetadata(PUBLIC, true), RouteConfig({ [ROUTE_ACCESS]: 'public' }));
/** Only these roles may call the route. */
export const Roles = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

/** The authenticated user (JWT `sub` and `roles`). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<FastifyRequest & { actor: Actor }>().actor;
});

const unauthorized = (detail: string) => ProblemException.of(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });

/** Mints an HS256 token with `sub`, `roles`, `iat` and `exp` (now + expiresInSeconds). */
export function signToken(secret: string, actor: Actor, expiresInSeconds = 8 * 3600): string {
  return new JwtService({ secret }).sign({ roles: actor.roles }, { subject: actor.sub, expiresIn: expiresInSeconds, algorithm: 'HS256' });
}

/** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;

export interface TokenPolicy {
  /** longest lifetime accepted: `exp − iat`, or `exp − now` when the token has no `iat` */
  maxTokenHours: number;
  /** JWKS of an identity provider: its RS256/ES256 tokens are accepted too */
  jwksUrl: string | null;
  /** `iss` and `aud` that JWKS-verified tokens must carry, when set */
  issuer: string | null;
  audience: string | null;
  /** claim of a JWKS-verified token that holds the roles (name, or dotted path) */
  rolesClaim: string;
}

const IDP_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Verifies bearer tokens (api.md "Authentication" and "Hardening"): HS256 with the service's
 * secret, and, with AUTH_JWKS_URL, RS256/ES256 tokens of the identity provider whose keys that
 * JWKS holds. Every token needs `sub` and `exp`; it may live at most `maxTokenHours`; `iat` and
 * `nbf` may not lie more than CLOCK_SKEW_SECONDS ahead. Times are the wall clock, not the
 * service's business clock.
 */
export class TokenVerifier {
  private readonly hs256: JwtService;
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly logger = new Logger('Auth');

  constructor(
    secret: string,
    private readonly policy: TokenPolicy,
    private readonly now: () => number = Date.now,
  ) {
    // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
    // as a public key on every verify, which was an eighth of the API's CPU under load.
    this.hs256 = new JwtService({ secret: createSecretKey(Buffer.from(secret)), verifyOptions: { algorithms: ['HS256'] } });
    this.jwks = policy.jwksUrl
      ? createRemoteJWKSet(new URL(policy.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : null;
  }

  static fromConfig(config: ServiceConfig, secrets: Pick<Secrets, 'jwtSecret'>): TokenVerifier {
    return new TokenVerifier(secrets.jwtSecret, {
      maxTokenHours: config.authMaxTokenHours,
      jwksUrl: config.authJwksUrl,
      issuer: config.authJwtIssuer,
      audience: config.authJwtAudience,
      rolesClaim: config.authRolesClaim,
    });
  }

  /** The actor of a bearer `Authorization` header; throws the 401 problem when there is none or it is invalid. */
  async actorOf(header: unknown): Promise<Actor> {
    return (await this.bearer(header)).actor;
  }

  /** The actor of a bearer `Authorization` header and when its token expires; throws the 401 problem like actorOf. */
  async bearer(header: unknown): Promise<{ actor: Actor; expiresAt: Date }> {
    const match = typeof header === 'string' ? /^Bearer[ \t]+([A-Za-z0-9_.~+/=-]+)[ \t]*$/i.exec(header) : null;
    if (!match) throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)');
    return this.check(match[1]);
  }

  async verify(token: string): Promise<Actor> {
    return (await this.check(token)).actor;
  }

  private async check(token: string): Promise<{ actor: Actor; expiresAt: Date }> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized('the token is not a JWT');
    }
    const fromProvider = this.jwks !== null && typeof alg === 'string' && IDP_ALGORITHMS.includes(alg);
    if (alg !== 'HS256' && !fromProvider) {
      throw unauthorized(`tokens signed with ${JSON.stringify(alg)} are not accepted (HS256${this.jwks ? ', or RS256/ES256 of the identity provider' : ''})`);
    }
    let payload: JWTPayload;
    if (fromProvider) {
      payload = await this.verifyWithJwks(token);
    } else {
      // HS256 synchronously (node:crypto through jsonwebtoken): WebCrypto's HMAC runs on the
      // thread pool, several times slower per request, and this is every request's path.
      try {
        payload = this.hs256.verify<JWTPayload>(token, { clockTolerance: CLOCK_SKEW_SECONDS, clockTimestamp: Math.floor(this.now() / 1000) });
      } catch (error) {
        throw unauthorized(`the token is not valid: ${(error as Error).message}`);
      }
    }
    this.checkLifetime(payload);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthorized('the token has no subject (sub)');
    // A subject goes into event metadata and the database: NUL or a lone surrogate would make the write fail.
    if (stringProblem(payload.sub)) throw unauthorized(`the token's subject (sub) ${stringProblem(payload.sub)}`);
    const claim = fromProvider ? claimAt(payload, this.policy.rolesClaim) : payload.roles;
    const roles = Array.isArray(claim) ? ROLES.filter((role) => claim.includes(role)) : [];
    return { actor: { sub: payload.sub, roles }, expiresAt: new Date(payload.exp! * 1000) };
  }

  private async verifyWithJwks(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.jwks!, {
        algorithms: IDP_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.now()),
        ...(this.policy.issuer ? { issuer: this.policy.issuer } : {}),
        ...(this.policy.audience ? { audience: this.policy.audience } : {}),
      });
      return payload;
    } catch (error) {
      const providerFailed =
        error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || (error as errors.JOSEError).code === 'ERR_JOSE_GENERIC';
      if (providerFailed || !(error instanceof errors.JOSEError)) {
        // The identity provider's keys could not be fetched: not the client's fault.
        this.logger.error(`AUTH_JWKS_URL could not be read: ${(error as Error).message}`);
        throw ProblemException.of(
          503,
          'identity-provider-unavailable',
          'Service unavailable',
          "the identity provider's keys could not be fetched; try again",
          {},
          { 'retry-after': '30' },
        );
      }
      throw unauthorized(`the token is not valid: ${error.message}`);
    }
  }

  /** The time claims, whichever key signed the token (the libraries checked `exp` passed and `nbf`). */
  private checkLifetime(payload: JWTPayload): void {
    const { exp, iat, nbf } = payload;
    if (exp === undefined) throw unauthorized('the token has no expiry (exp)');
    for (const [name, value] of [
      ['exp', exp],
      ['iat', iat],
      ['nbf', nbf],
    ] as const) {
      if (value !== undefined && !Number.isFinite(value)) throw unauthorized(`the token's ${name} is not a NumericDate`);
    }
    const now = Math.floor(this.now() / 1000);
    const max = this.policy.maxTokenHours * 3600;
    if (nbf !== undefined && nbf > now + CLOCK_SKEW_SECONDS) throw unauthorized('the token is not valid yet (nbf)');
    if (exp <= now - CLOCK_SKEW_SECONDS) throw unauthorized('the token has expired (exp)');
    if (iat !== undefined) {
      if (iat > now + CLOCK_SKEW_SECONDS) throw unauthorized('the token is issued in the future (iat)');
      if (exp - iat > max) throw unauthorized(`the token lives longer than ${this.policy.maxTokenHours} hours (exp − iat)`);
    } else if (exp - now > max) {
      throw unauthorized(`the token expires more than ${this.policy.maxTokenHours} hours from now (exp)`);
    }
  }
}

/** A claim by exact name, else by dotted path (`realm_access.roles`). */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** How a request was authenticated: by a bearer token, or by a browser session's cookie. */
export type Authentication =
  { kind: 'bearer'; actor: Actor; expiresAt: Date } | { kind: 'session'; actor: Actor; expiresAt: Date; csrfToken: string; sessionId: string };

/** A request once the route gate (or AuthGuard) has authenticated it. */
export type AuthenticatedRequest = FastifyRequest & { actor?: Actor; authentication?: Authentication };

/** The live browser sessions (apps/api/src/web/sessions.ts). */
export interface SessionLookup {
  find(id: string): Promise<{ actor: Actor; csrfToken: string; expiresAt: Date } | null>;
}

/** Methods that change something: under a session cookie they need the CSRF token. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Who sent the request (api.md "Authentication" and "The browser"): a bearer token when the
 * request has an `Authorization` header (it takes precedence, and needs no CSRF token), else the
 * browser session its cookie names. An unsafe method under a session needs `X-CSRF-Token` equal
 * to the session's synchronizer token, whatever the Origin: 403 `csrf-token-missing` or
 * `csrf-token-invalid` otherwise. The one place both the route gate and AuthGuard authenticate.
 */
export class RequestAuthenticator {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly sessions: SessionLookup | null,
  ) {}

  async authenticate(request: FastifyRequest): Promise<Authentication> {
    const header = request.headers.authorization;
    if (header !== undefined || this.sessions === null) return { kind: 'bearer', ...(await this.tokens.bearer(header)) };
    const sessionId = sessionIdOf(request);
    if (sessionId === null) throw unauthorized('a bearer token (Authorization: Bearer <JWT>) or a browser session (its cookie) is required');
    const session = await this.sessions.find(sessionId);
    if (!session) throw unauthorized('the browser session has ended or expired: log in again');
    if (UNSAFE_METHODS.has(request.method)) checkCsrfToken(request.headers[CSRF_HEADER], session.csrfToken);
    return { kind: 'session', sessionId, ...session };
  }
}

function checkCsrfToken(given: unknown, expected: string): void {
  if (given === undefined || given === '') {
    throw ProblemException.of(403, 'csrf-token-missing', 'CSRF token missing', `a change under a browser session needs the header X-CSRF-Token (GET /session)`);
  }
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw ProblemException.of(403, 'csrf-token-invalid', 'CSRF token invalid', "X-CSRF-Token is not this browser session's token (GET /session)");
  }
}

/** The TokenVerifier of the service's configuration and secret. */
export const tokenVerifierProvider: Provider = {
  provide: TokenVerifier,
  inject: [SERVICE_CONFIG, SECRETS],
  useFactory: (config: ServiceConfig, secrets: Secrets) => TokenVerifier.fromConfig(config, secrets),
};

/**
 * Roles per Nest handler. The route gate has already required a valid token on every route that
 * is not public (and left the actor on the request); this guard checks `@Roles()`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.actor) {
      request.authentication = await this.authenticator.authenticate(request);
      request.actor = request.authentication.actor;
    }
    const { roles } = request.actor;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (allowed && !roles.some((role) => allowed.includes(role))) {
      throw ProblemException.of(403, 'forbidden', 'Forbidden', `this needs one of the roles ${allowed.join(', ')}`);
    }
    return true;
  }
}
