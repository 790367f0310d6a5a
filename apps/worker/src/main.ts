import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger, LoggerModule } from 'nestjs-pino';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { PlatformModule } from '#platform/platform.module.js';
import { loggerOptions } from '../../api/src/logging.js';
import { WorkerModule } from './worker.module.js';

/** The worker process of the split mode: projections and job processors, no HTTP. */
@Module({})
class WorkerProcessModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: WorkerProcessModule,
      imports: [LoggerModule.forRoot(loggerOptions(config)), PlatformModule.forRoot(config), WorkerModule],
    };
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'worker');
  const app = await NestFactory.createApplicationContext(WorkerProcessModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('trajectory worker running (projections and jobs)');
}

main().catch((error: unknown) => {
  // eslint-disable-next-line no-console
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
