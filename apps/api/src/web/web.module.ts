import { Injectable, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Secrets } from '#platform/secrets.js';
import { SECRETS, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { FailedAuthentications } from '../http/failed-authentications.js';
import { LoginCodes } from './login-codes.js';
import { OIDC_LOGIN, OidcLogin } from './oidc-login.js';
import { SessionController } from './session.controller.js';
import { SessionStore } from './sessions.js';
import { WEB_CONFIG, type WebConfig } from './web-config.js';

const SWEEP_EVERY_MS = 10 * 60_000;

/** Deletes expired sessions and expired redeemed login codes, at start and every 10 minutes. */
@Injectable()
class SessionSweeper implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessions: SessionStore,
    private readonly codes: LoginCodes,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    await this.sessions.sweep();
    await this.codes.sweep();
  }
}

/** The browser side of the API: login links, sessions (the route gate reads SessionStore), logout. */
@Module({})
export class WebModule {
  static forRoot(web: WebConfig): DynamicModule {
    return {
      module: WebModule,
      controllers: [SessionController],
      providers: [
        { provide: WEB_CONFIG, useValue: web },
        { provide: SessionStore, inject: [SQL_DATABASE], useFactory: (db: SqlDatabase) => new SessionStore(db, web.sessionHours) },
        { provide: LoginCodes, inject: [SQL_DATABASE, SECRETS], useFactory: (db: SqlDatabase, secrets: Secrets) => new LoginCodes(db, secrets.jwtSecret) },
        {
          provide: OIDC_LOGIN,
          inject: [SECRETS],
          useFactory: (secrets: Secrets) => (web.oidc ? new OidcLogin(web.oidc, secrets.jwtSecret) : null),
        },
        SessionSweeper,
        // One counter for the route gate (bad tokens) and the login link (bad codes); bootstrap installs it.
        { provide: FailedAuthentications, useValue: new FailedAuthentications() },
      ],
      exports: [WEB_CONFIG, SessionStore, FailedAuthentications],
    };
  }
}
