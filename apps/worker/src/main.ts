import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger, LoggerModule } from 'nestjs-pino';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { PlatformModule } from '#platform/platform.module.js';
import { loggerOptions } from '../../api/src/logging.js';
import { WorkerHealthListener } from './health-listener.js';
import { SCHEMA_MIGRATIONS } from './schema-migrations.js';
import { WorkerModule } from './worker.module.js';

/** The worker process of the split mode: projections and job processors; HTTP only for its health check. */
@Module({})
class WorkerProcessModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: WorkerProcessModule,
      imports: [LoggerModule.forRoot(loggerOptions(config)), PlatformModule.forRoot(config, SCHEMA_MIGRATIONS), WorkerModule],
      providers: [WorkerHealthListener],
    };
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'worker');
  const app = await NestFactory.createApplicationContext(WorkerProcessModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  // After init: every component has registered its health check before the first answer.
  const health = await app
    .get(WorkerHealthListener)
    .listen()
    .catch(async (error: unknown) => {
      await app.close();
      throw new Error(`the health listener cannot listen on ${config.host}:${config.workerHealthPort} (WORKER_HEALTH_PORT): ${(error as Error).message}`);
    });
  app.get(Logger).log(`trajectory worker running (projections and jobs); health on ${health}`);
}

main().catch((error: unknown) => {
  // eslint-disable-next-line no-console
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
