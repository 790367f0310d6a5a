import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { ServiceConfig } from '#platform/config.js';
import { PlatformModule, type PlatformOverrides } from '#platform/platform.module.js';
import { SCHEMA_MIGRATIONS } from '../../worker/src/schema-migrations.js';
import { WorkerModule } from '../../worker/src/worker.module.js';
import { AuditModule } from './audit/audit.module.js';
import { CaseloadApiModule } from './caseload/caseload-api.module.js';
import { FollowUpsApiModule } from './follow-ups/follow-ups-api.module.js';
import { HealthController } from './health/health.controller.js';
import { ImportsModule } from './imports/imports.module.js';
import { RequestAuthenticator, TokenVerifier, tokenVerifierProvider } from './http/auth.js';
import { EtagInterceptor } from './http/etag.interceptor.js';
import { IdempotencyInterceptor } from './http/idempotency.interceptor.js';
import { LocationInterceptor } from './http/location.interceptor.js';
import { ProblemFilter } from './http/problem.filter.js';
import { ProblemsController } from './http/problems.controller.js';
import { validationPipe } from './http/validation.js';
import { loggerOptions } from './logging.js';
import { StatisticsApiModule } from './statistics/statistics-api.module.js';
import type { WebConfig } from './web/web-config.js';
import { WebModule } from './web/web.module.js';
import { SessionStore } from './web/sessions.js';
import { WorkersModule } from './workers/workers.module.js';

/** The HTTP API; in mode `all` (npm start) also the projections and jobs of the worker. */
@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig, web: WebConfig, overrides: PlatformOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(config)),
        PlatformModule.forRoot(config, SCHEMA_MIGRATIONS, overrides),
        CqrsModule.forRoot(),
        AuditModule,
        WorkersModule,
        StatisticsApiModule,
        CaseloadApiModule,
        FollowUpsApiModule,
        ImportsModule,
        WebModule.forRoot(web),
        ...(config.mode === 'all' ? [WorkerModule] : []),
      ],
      controllers: [HealthController, ProblemsController],
      providers: [
        tokenVerifierProvider,
        {
          provide: RequestAuthenticator,
          inject: [TokenVerifier, SessionStore],
          useFactory: (tokens: TokenVerifier, sessions: SessionStore) => new RequestAuthenticator(tokens, sessions),
        },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useValue: validationPipe },
        { provide: APP_INTERCEPTOR, useClass: EtagInterceptor },
        { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
