import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditProjection } from '#audit/audit-projection.js';
import type { EventStore } from '#event-store/event-store.js';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { PlatformModule } from '#platform/platform.module.js';
import { SCHEMA_MIGRATIONS } from '../schema-migrations.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { PlacementFactsProjection } from '#read-models/group-statistics/placement-facts.projection.js';
import { FollowUpScheduleProjection } from '../follow-ups/follow-up-schedule.projection.js';

/**
 * `npm run projections:rebuild`: empties the read models and replays the whole log, printing
 * progress. The API answers 503 for statistics meanwhile. With the embedded store, stop the
 * service first (PGlite's files belong to one process); with PostgreSQL it may run beside it.
 * `--catch-up` only applies what is new since the checkpoint.
 */
@Module({})
class RebuildModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: RebuildModule, imports: [PlatformModule.forRoot(config, SCHEMA_MIGRATIONS)] };
  }
}

async function main(): Promise<void> {
  const catchUpOnly = process.argv.includes('--catch-up');
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'worker');
  const app = await NestFactory.createApplicationContext(RebuildModule.forRoot(config), { logger: ['error', 'warn'], abortOnError: false });
  // No job queues here: the running service's reconciliation enqueues what the rebuild schedules.
  const projections = [
    new FlowCountsProjection(),
    new PlacementFactsProjection(),
    new FollowUpScheduleProjection(),
    new CaseloadProjection(),
    new AuditProjection(app.get<EventStore>(EVENT_STORE)),
  ];
  const runner = new ProjectionRunner(app.get(EVENT_STORE), app.get(SQL_DATABASE), projections, { batchSize: config.projectionBatchSize });
  const started = performance.now();
  let last = started;
  const progress = (applied: number) => {
    const now = performance.now();
    if (now - last < 1_000) return;
    last = now;
    process.stdout.write(`projections: ${applied} events applied, ${Math.round(applied / ((now - started) / 1000))} events/s\n`);
  };
  const applied = catchUpOnly ? await runner.catchUp(progress) : await runner.rebuild(progress);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `projections: ${catchUpOnly ? 'caught up' : 'rebuilt'} — ${applied} events in ${seconds.toFixed(1)} s (${Math.round(applied / Math.max(seconds, 0.001))} events/s), checkpoint ${await runner.checkpoint()}\n`,
  );
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`projections: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
