import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sealStoredFreeText } from '#personal-data/free-text-upgrade.js';
import { upgradeLegacyWorkers } from '#personal-data/legacy-upgrade.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { AuditProjection } from '#audit/audit-projection.js';
import type { EventStore } from '#event-store/event-store.js';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { PlatformModule } from '#platform/platform.module.js';
import { SCHEMA_MIGRATIONS } from '../schema-migrations.js';
import { EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress, ProjectionRunner } from '#projections/projection-runner.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { PlacementFactsProjection } from '#read-models/group-statistics/placement-facts.projection.js';
import { FollowUpScheduleProjection } from '../follow-ups/follow-up-schedule.projection.js';

/**
 * `npm run personal-data:upgrade`: gives workers of a store written before erasure unlinked the
 * person random ids, removes the INSZ hash from their events into the lookup table, seals the free
 * text stored before it was sealed (POP goals, retraction reasons), then rebuilds the read models
 * (they held the old ids; the caseload is new). Stop the service first.
 */
@Module({})
class UpgradeModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: UpgradeModule, imports: [PlatformModule.forRoot(config, SCHEMA_MIGRATIONS)] };
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'worker');
  if (config.kurrentDbUrl) throw new Error('KurrentDB streams cannot be renamed: the service reads them through the upcaster (docs/erasure-and-audit.md)');
  const app = await NestFactory.createApplicationContext(UpgradeModule.forRoot(config), { logger: ['error', 'warn'], abortOnError: false });
  const report = await upgradeLegacyWorkers(app.get(SQL_DATABASE));
  process.stdout.write(
    `personal-data: ${report.workers} workers given random ids (${report.erased} erased before), ${report.idempotencyRecords} idempotency records dropped\n`,
  );
  const sealed = await sealStoredFreeText(app.get(SQL_DATABASE), app.get(PersonalData));
  process.stdout.write(`personal-data: free text of ${sealed.events} events sealed (${sealed.erased} of erased workers dropped)\n`);
  const runner = new ProjectionRunner(
    app.get(EVENT_STORE),
    app.get(SQL_DATABASE),
    [
      new FlowCountsProjection(),
      new PlacementFactsProjection(),
      new FollowUpScheduleProjection(),
      new CaseloadProjection(),
      new AuditProjection(app.get<EventStore>(EVENT_STORE)),
    ],
    { batchSize: config.projectionBatchSize },
  );
  let applied = await runner.rebuild();
  // Until the read models hold every event written so far (a transaction open elsewhere on the
  // PostgreSQL server can hold the log's horizon back for a while).
  const progress = new ProjectionProgress(app.get(SQL_DATABASE), app.get(EVENT_STORE));
  while (!(await progress.status()).caughtUp) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    applied += await runner.catchUp();
  }
  process.stdout.write(`personal-data: read models rebuilt from ${applied} events\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`personal-data: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
