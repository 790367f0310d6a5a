import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { EventStore } from '#event-store/event-store.js';
import type { ServiceConfig } from '#platform/config.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { EVENT_STORE, SERVICE_CONFIG, SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import type { SqlDatabase } from '#sql/sql.js';

export const PROJECTIONS = Symbol('Projections');

/** Runs the projection runner for the life of the worker process. */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SQL_DATABASE) db: SqlDatabase,
    @Inject(PROJECTIONS) projections: Projection[],
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly health: HealthRegistry,
    executor: WorkerCommandExecutor,
  ) {
    this.runner = new ProjectionRunner(store, db, projections, {
      batchSize: config.projectionBatchSize,
      // 50 ms after the last events, backing off to 400 ms while the log stays quiet: an idle worker
      // looked 20 times a second, 3 statements each: 3% of a core and 60 statements a second for nothing.
      pollIntervalMs: 50,
      maxPollIntervalMs: 400,
      // A batch costs about twenty statements whatever it carries: while events trickle in, a worker
      // process lets them gather (at most the quiet interval) until a batch carries about this many.
      // In `npm start` they are applied at once: the browser reads the lists right after a command.
      targetBatchSize: config.mode === 'worker' ? 100 : undefined,
      // The jobs run on workers the APIs changed (a check after an exit): the log this runner reads
      // anyway keeps their states current here, instead of each job reading the stream again.
      onRead: (events) => executor.follow(events),
      log: (message, error) => this.logger.error(`${message}: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Refuses to start (EventStoreChangedError, naming both stores) on read models of another store.
    await this.runner.verifyEventStore();
    this.runner.start();
    this.health.register('projectionRunner', async () => {
      const { running, failure } = this.runner.state();
      if (!running) throw new Error('the projection runner is stopped');
      if (failure) throw new Error(`the last projection batch failed: ${failure instanceof Error ? failure.message : 'unknown error'}`);
      return { running };
    });
    this.logger.log(`projections running from checkpoint ${(await this.runner.checkpoint()) ?? 'start of the log'}`);
  }

  /** Before the stores close: the batch in progress commits (or rolls back), then the runner stops. */
  async beforeApplicationShutdown(): Promise<void> {
    this.logger.log('shutdown: stopping projections after the batch in progress');
    await this.runner.stop();
    this.logger.log(`projections stopped at checkpoint ${(await this.runner.checkpoint()) ?? 'start of the log'}`);
  }
}
