/**
 * The ceiling baseline of `npm run bench`: a bare Fastify route that does one raw INSERT per
 * request, nothing else (no auth, no validation, no domain). The service's command rate over this
 * one's, at the same concurrency and on the same machine, is how close the service comes to what
 * HTTP plus one database write can give. Started by bench/run.ts as its own process.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 24) });
await pool.query(
  'CREATE TABLE IF NOT EXISTS ceiling_events (id bigserial PRIMARY KEY, stream_id text, version int, type text, data jsonb, metadata jsonb, recorded_at timestamptz DEFAULT now())',
);
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.post<{ Body: Record<string, unknown> }>('/v1/insert', async (request, reply) => {
  await pool.query('INSERT INTO ceiling_events (stream_id, version, type, data, metadata) VALUES ($1, 1, $2, $3, $4)', [
    String(request.id),
    'V1.X',
    JSON.stringify(request.body),
    '{"actor":"x"}',
  ]);
  return reply.status(201).send({ ok: true });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
