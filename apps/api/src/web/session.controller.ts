import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, type AuthenticatedRequest } from '../http/auth.js';
import { ApiLogin, ApiLoginOptions, ApiLogout, ApiSession } from '../http/openapi.js';
import { LoginCodes } from './login-codes.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import { SessionStore } from './sessions.js';
import { WEB_CONFIG, type WebConfig } from './web-config.js';

/** Where a browser lands after a login it could not complete; the web application says so. */
export const LOGIN_FAILED = '/?login=failed';

export interface SessionView {
  sub: string;
  roles: string[];
  csrfToken: string | null;
  expiresAt: string;
}

/** Browser sessions (docs/browser-sessions.md): the one-time login link, the session, logout. */
@ApiTags('browser')
@Controller()
export class SessionController {
  private readonly logger = new Logger('Sessions');

  constructor(
    private readonly codes: LoginCodes,
    private readonly sessions: SessionStore,
    @Inject(WEB_CONFIG) private readonly web: WebConfig,
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
      this.logger.warn(`login link refused (${redemption.reason})`);
      return { url: LOGIN_FAILED };
    }
    const session = await this.sessions.start(redemption.actor);
    setSessionCookie(request, reply, session.id, session.expiresAt);
    this.logger.log(`browser session started for ${redemption.actor.sub} (${redemption.actor.roles.join(', ')}) by login link`);
    return { url: '/' };
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
      'The user of the browser session (or bearer token): `sub`, `roles`, when it expires, and the CSRF token every POST, PUT, PATCH and DELETE under the session must carry as `X-CSRF-Token` (null under a bearer token, which needs none).',
  })
  current(@Req() request: AuthenticatedRequest): SessionView {
    const authentication = request.authentication!;
    return {
      sub: authentication.actor.sub,
      roles: authentication.actor.roles,
      csrfToken: authentication.kind === 'session' ? authentication.csrfToken : null,
      expiresAt: authentication.expiresAt.toISOString(),
    };
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
