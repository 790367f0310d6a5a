import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Directory } from '#directory/directory.js';
import { Public, type AuthenticatedRequest } from '../http/auth.js';
import { ApiLogin, ApiLoginOptions, ApiLogout, ApiOidcCallback, ApiOidcLogin, ApiSession } from '../http/openapi.js';
import { FailedAuthentications } from '../http/failed-authentications.js';
import { ProblemException } from '../http/problem.js';
import { LoginCodes } from './login-codes.js';
import { OIDC_LOGIN, TRANSACTION_SECONDS, type OidcLogin } from './oidc-login.js';
import { clearOidcCookie, clearSessionCookie, oidcTransactionOf, setOidcCookie, setSessionCookie } from './session-cookie.js';
import { SessionStore } from './sessions.js';
import { WEB_CONFIG, type WebConfig } from './web-config.js';

/** Where a browser lands after a login it could not complete; the web application says so. */
export const LOGIN_FAILED = '/?login=failed';

export interface SessionView {
  sub: string;
  roles: string[];
  csrfToken: string | null;
  expiresAt: string;
  /** the organisation the directory has the user as a member of, with their member roles there (null: none) */
  organisation: { organisationId: string; name: string; roles: string[] } | null;
}

/** Browser sessions (docs/browser-sessions.md): the one-time login link, OIDC login, the session, logout. */
@ApiTags('browser')
@Controller()
export class SessionController {
  private readonly logger = new Logger('Sessions');

  constructor(
    private readonly codes: LoginCodes,
    private readonly sessions: SessionStore,
    @Inject(WEB_CONFIG) private readonly web: WebConfig,
    @Inject(OIDC_LOGIN) private readonly oidc: OidcLogin | null,
    private readonly failures: FailedAuthentications,
    private readonly directory: Directory,
  ) {}

  @Get('login')
  @Public()
  @Redirect('/', 303)
  @ApiLogin()
  @ApiOperation({
    summary: 'Redeem a one-time login link and start a browser session',
    description:
      'The link `npm run token -- --login` prints. A valid code (once, within 10 minutes) starts a session: `Set-Cookie` (HttpOnly, SameSite=Strict, Secure over https) and 303 to `/`. A used, expired or forged code: 303 to `/?login=failed`, no session.',
  })
  async login(@Query('code') code: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ url: string }> {
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const redemption = typeof code === 'string' && code.length <= 4096 ? await this.codes.redeem(code) : ({ ok: false, reason: 'invalid' } as const);
    if (!redemption.ok) {
      // Past the limit of failed authentications from this address: 429, and not logged again.
      await this.failures.fail(request);
      this.logger.warn(`login link refused (${redemption.reason})`);
      return { url: LOGIN_FAILED };
    }
    const session = await this.sessions.start(redemption.actor);
    setSessionCookie(request, reply, session.id, session.expiresAt);
    this.logger.log(`browser session started for ${redemption.actor.sub} (${redemption.actor.roles.join(', ')}) by login link`);
    return { url: '/' };
  }

  @Get('login/oidc')
  @Public()
  @Redirect('/', 303)
  @ApiOidcLogin()
  @ApiOperation({
    summary: 'Log in through the organisation’s identity provider',
    description:
      'With OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: 303 to the identity provider (authorization code with PKCE), which sends the browser back to `/login/oidc/callback`. 404 when OIDC is not configured; 503 when the provider cannot be reached.',
  })
  async oidcLogin(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ url: string }> {
    const oidc = this.requireOidc();
    void reply.header('cache-control', 'no-store');
    const { url, transaction } = await oidc.start();
    setOidcCookie(request, reply, transaction, TRANSACTION_SECONDS);
    return { url };
  }

  @Get('login/oidc/callback')
  @Public()
  @Redirect('/', 303)
  @ApiOidcCallback()
  @ApiOperation({
    summary: 'The identity provider’s answer: start a browser session',
    description:
      'Where the identity provider sends the browser back. A valid answer for a user with at least one role (claim OIDC_ROLES_CLAIM) starts a session: `Set-Cookie` and 303 to `/`. Anything else: 303 to `/?login=failed`, no session.',
  })
  async oidcCallback(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ url: string }> {
    const oidc = this.requireOidc();
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const outcome = await oidc.finish(query, oidcTransactionOf(request));
    clearOidcCookie(request, reply);
    if (!outcome.ok) {
      this.logger.warn(`OIDC login refused: ${outcome.reason}`);
      return { url: LOGIN_FAILED };
    }
    const session = await this.sessions.start(outcome.actor);
    setSessionCookie(request, reply, session.id, session.expiresAt);
    this.logger.log(`browser session started for ${outcome.actor.sub} (${outcome.actor.roles.join(', ')}) by OIDC`);
    return { url: '/' };
  }

  private requireOidc(): OidcLogin {
    if (this.oidc === null) throw ProblemException.of(404, 'not-found', 'Not found', 'OIDC login is not configured (OIDC_ISSUER_URL)');
    return this.oidc;
  }

  @Get('login/options')
  @Public()
  @ApiLoginOptions()
  @ApiOperation({ summary: 'How a browser can log in', description: '`oidc`: whether the organisation’s identity provider is configured (`GET /login/oidc`).' })
  options(): { oidc: boolean } {
    return { oidc: this.web.oidc !== null };
  }

  @Get('session')
  @ApiSession()
  @ApiOperation({
    summary: 'Who is logged in',
    description:
      'The user of the browser session (or bearer token): `sub`, `roles`, when it expires, the CSRF token every POST, PUT, PATCH and DELETE under the session must carry as `X-CSRF-Token` (null under a bearer token, which needs none), and the organisation the directory has the user as a member of (null: none), as it stands now.',
  })
  async current(@Req() request: AuthenticatedRequest): Promise<SessionView> {
    const authentication = request.authentication!;
    return {
      sub: authentication.actor.sub,
      roles: authentication.actor.roles,
      csrfToken: authentication.kind === 'session' ? authentication.csrfToken : null,
      expiresAt: authentication.expiresAt.toISOString(),
      organisation: await this.organisationOf(authentication.actor.sub),
    };
  }

  private async organisationOf(sub: string): Promise<SessionView['organisation']> {
    const membership = await this.directory.membershipOf(sub);
    const organisation = membership && (await this.directory.organisation(membership.organisationId));
    return membership && organisation ? { organisationId: organisation.organisationId, name: organisation.name, roles: membership.roles } : null;
  }

  @Post('logout')
  @HttpCode(204)
  @ApiLogout()
  @ApiOperation({
    summary: 'End the browser session',
    description:
      'Deletes the session on the server and clears its cookie: the old cookie then gets 401 everywhere. Needs `X-CSRF-Token`. Under a bearer token there is no session to end: 204 all the same.',
  })
  async logout(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const authentication = request.authentication!;
    if (authentication.kind !== 'session') return;
    await this.sessions.end(authentication.sessionId);
    clearSessionCookie(request, reply);
    this.logger.log(`browser session of ${authentication.actor.sub} ended (logout)`);
  }
}
