import { Logger } from '@nestjs/common';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { createApp } from './bootstrap.js';

/** `--mode=`, which wins over MODE (validated with the other variables). */
function modeFromArgs(argv: string[]): ServiceConfig['mode'] | undefined {
  const arg = argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length);
  if (arg !== undefined && arg !== 'all' && arg !== 'api' && arg !== 'worker') throw new Error(`--mode must be all, api or worker, got ${arg}`);
  return arg;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, modeFromArgs(process.argv.slice(2)));
  const { mode } = config;
  if (mode === 'worker') {
    await import('../../worker/src/main.js');
    return;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const stores = `events: ${config.kurrentDbUrl ? 'KurrentDB' : config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}; read models: ${config.databaseUrl ? 'PostgreSQL' : 'PGlite'}`;
  new Logger('Main').log(`trajectory service (${mode}) listening on ${await app.getUrl()} — ${stores}`);
}

main().catch((error: unknown) => {
  // eslint-disable-next-line no-console
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
