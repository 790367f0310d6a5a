/**
 * The service exactly as `npm start` runs it (mode `all`), except that its projection runner runs
 * without the caseload and audit projections: the "before" side of the registration-overhead row
 * (registration-overhead.ts). Started by bench/run.ts as its own process, never by users.
 */
import { loadConfig } from '#platform/config.js';
import { createApp } from '../../apps/api/src/bootstrap.js';

const WITHOUT = new Set(['caseload', 'audit']);

const config = loadConfig(process.env, 'all');
const app = await createApp(config, { projections: (all) => all.filter((projection) => !WITHOUT.has(projection.name)) });
await app.listen(config.port, config.host);
