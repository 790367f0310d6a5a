import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { join } from 'node:path';
import { DeclarationRevisions } from '#application/declaration-revisions.js';
import { anchorsPathOf, AuditAnchors } from '#audit/audit-anchors.js';
import { AuditVerification } from '#audit/audit-verification.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { EventStore } from '#event-store/event-store.js';
import type { Projection } from '#projections/projection.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { SqlEmploymentRegister, type EmploymentRegister } from '#employment-register/employment-register.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { KeyWrapping } from '#personal-data/key-wrapping.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { runMigrations, type Migration } from '#sql/migrations.js';
import type { SqlDatabase } from '#sql/sql.js';
import { systemClock, type Clock } from './clock.js';
import { serviceConfigNamespace, type ServiceConfig } from './config.js';
import { HealthRegistry } from './health-registry.js';
import { ServiceHealth } from './service-health.js';
import { resolveSecrets, type Secrets } from './secrets.js';
import { CLOCK, EMPLOYMENT_REGISTER, EVENT_STORE, PLATFORM_OVERRIDES, SECRETS, SERVICE_CONFIG, SQL_DATABASE } from './tokens.js';

export interface PlatformOverrides {
  clock?: Clock;
  /** a database opened by the caller (tests): used as is and not closed by the module */
  sqlDatabase?: SqlDatabase;
  eventStore?: EventStore;
  /**
   * The bench only: which of the worker's projections run (the registration-overhead row compares
   * the service with and without the caseload and audit projections). The service runs them all.
   */
  projections?: (all: Projection[]) => Projection[];
}

@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLATFORM_OVERRIDES) private readonly overrides: PlatformOverrides,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.overrides.eventStore) await this.store.close();
    if (!this.overrides.sqlDatabase) await this.db.close();
  }
}

/** PostgreSQL when configured, else PGlite under DATA_DIR. */
async function openDatabase(config: ServiceConfig): Promise<SqlDatabase> {
  if (!config.databaseUrl) return PgliteDatabase.open(join(config.dataDir, 'pglite'));
  // Loaded only when used: the embedded default never needs the pg driver (about 14 MB resident).
  const { PostgresDatabase } = await import('#sql/postgres.js');
  return PostgresDatabase.connect(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
  });
}

/** The ports and their adapters, chosen from the configuration (api.md "Running"). */
@Global()
@Module({})
export class PlatformModule {
  /** `migrations`: the application's schema (apps/worker/src/schema-migrations.ts), applied before any provider uses the database. */
  static forRoot(config: ServiceConfig, migrations: readonly Migration[], overrides: PlatformOverrides = {}): DynamicModule {
    const logger = new Logger('Platform');
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          // Neither a .env file nor a second reading of process.env: the validated configuration only.
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [serviceConfigNamespace(config)],
        }),
        // ServiceHealth logs a component's failure once, when it starts; terminus would log every failed poll.
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        { provide: SERVICE_CONFIG, inject: [ConfigService], useFactory: (configService: ConfigService) => configService.getOrThrow<ServiceConfig>('service') },
        { provide: PLATFORM_OVERRIDES, useValue: overrides },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        {
          provide: SECRETS,
          useFactory: (): Secrets => {
            const { file, fromFile, ...secrets } = resolveSecrets(config);
            if (file) logger.warn(`${fromFile.join(', ')} not set: using the value kept in ${file} (set them all in production)`);
            return secrets;
          },
        },
        {
          provide: SQL_DATABASE,
          // The schema is migrated here, before any provider that uses the database exists.
          useFactory: async (): Promise<SqlDatabase> => {
            const db = overrides.sqlDatabase ?? (await openDatabase(config));
            try {
              const { applied, unknown } = await runMigrations(db, migrations);
              if (applied.length > 0) logger.log(`schema migrated: applied ${applied.join(', ')}`);
              if (unknown.length > 0)
                logger.warn(`the database holds schema versions this release does not know (${unknown.join(', ')}): a newer release migrated it`);
            } catch (error) {
              if (!overrides.sqlDatabase) await db.close().catch(() => undefined);
              throw error;
            }
            return db;
          },
        },
        {
          provide: EVENT_STORE,
          inject: [SQL_DATABASE],
          useFactory: async (db: SqlDatabase): Promise<EventStore> => {
            if (overrides.eventStore) return overrides.eventStore;
            const deadlineMs = config.eventStoreDeadlineMs;
            if (config.kurrentDbUrl) {
              // Loaded only when used: its gRPC client is a large share of every process's start.
              const { KurrentDbEventStore } = await import('#event-store/kurrentdb-event-store.js');
              return KurrentDbEventStore.connect(config.kurrentDbUrl, { streamPrefix: config.kurrentDbStreamPrefix, deadlineMs });
            }
            return SqlEventStore.open(db, { deadlineMs });
          },
        },
        {
          provide: WorkerCommandExecutor,
          inject: [EVENT_STORE, CLOCK],
          useFactory: (store: EventStore, clock: Clock) => new WorkerCommandExecutor(store, clock, config.policy),
        },
        {
          provide: PersonalData,
          inject: [SQL_DATABASE, SECRETS],
          useFactory: (db: SqlDatabase, secrets: Secrets) =>
            PersonalData.create(db, secrets.inszHashKey, KeyWrapping.of(secrets.personalDataKek, secrets.personalDataKekPrevious)),
        },
        {
          provide: AuditVerification,
          inject: [SQL_DATABASE, SECRETS, CLOCK],
          useFactory: (db: SqlDatabase, secrets: Secrets, clock: Clock) =>
            new AuditVerification(db, new AuditAnchors(anchorsPathOf(config), Buffer.from(secrets.auditSigningKey, 'base64')), () => clock.now()),
        },
        {
          provide: EMPLOYMENT_REGISTER,
          inject: [SQL_DATABASE],
          useFactory: (db: SqlDatabase): Promise<EmploymentRegister> => SqlEmploymentRegister.create(db),
        },
        {
          provide: DeclarationRevisions,
          inject: [SQL_DATABASE, EVENT_STORE, EMPLOYMENT_REGISTER, WorkerCommandExecutor],
          useFactory: (db: SqlDatabase, store: EventStore, register: EmploymentRegister, executor: WorkerCommandExecutor) =>
            new DeclarationRevisions(db, store, register, executor),
        },
        HealthRegistry,
        ServiceHealth,
        StoreLifecycle,
      ],
      exports: [
        PLATFORM_OVERRIDES,
        SERVICE_CONFIG,
        CLOCK,
        SECRETS,
        SQL_DATABASE,
        EVENT_STORE,
        EMPLOYMENT_REGISTER,
        WorkerCommandExecutor,
        DeclarationRevisions,
        PersonalData,
        AuditVerification,
        HealthRegistry,
        ServiceHealth,
      ],
    };
  }
}
