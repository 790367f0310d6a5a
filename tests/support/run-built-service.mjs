/**
 * The built service (dist/) as `npm start` builds it: createApp with the HTML pages (Swagger UI,
 * Bull Board) in mode `all`, configured from the environment like main.js. Once it listens, it
 * prints one line: {"url": ..., "routes": <Fastify's printRoutes() tree>}, so that a test can
 * walk every route the process serves, plugins' routes included. Jest on Node 20 cannot load
 * Bull Board's static-file plugin in-process; a plain Node process can.
 */
import { createApp } from '../../dist/apps/api/src/bootstrap.js';
import { loadConfig } from '../../dist/libs/platform/src/config.js';

const config = loadConfig(process.env, 'all');
const app = await createApp(config);
await app.listen(config.port, config.host);
const routes = app.getHttpAdapter().getInstance().printRoutes();
process.stdout.write(`${JSON.stringify({ url: await app.getUrl(), routes })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
