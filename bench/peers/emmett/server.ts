/**
 * The bench's peer row: the same four commands (register, screen, place, exit) served by Fastify on
 * Emmett's PostgreSQL event store, written as Emmett's samples write a web API
 * (`samples/webApi/expressjs-with-postgresql` for the store, the command handler and the inline
 * projections; the Fastify routes as in `src/packages/emmett-fastify/src/e2e/decider/api.ts`).
 * The decisions are the service's own (`decide`/`evolve` of libs/domain), so both sides enforce the
 * same rules; the input is validated by Fastify's JSON schemas to the service's limits; every
 * request carries the same bearer token, verified the same way (jose, HS256). Started by
 * bench/run.ts as its own process: DATABASE_URL, DATABASE_POOL_SIZE, PORT, AUTH_JWT_SECRET,
 * INSZ_HASH_KEY.
 */
import { CommandHandler, projections } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { pongoClient } from '@event-driven-io/pongo';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { createCipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ADVICES, EDUCATION_LEVELS, EXIT_REASONS, PROGRAMMES } from '#domain/vocabulary.js';
import { decide, evolve, initialState, InvalidInszError, parseInsz, RuleViolation, type TrajectoryCommand, type TrajectoryState } from '#domain/index.js';
import { DOCUMENT_COLLECTIONS, READ_MODELS, TABLES, type PeerEvent } from './read-models.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const connectionString = env('DATABASE_URL');
const jwtKey = new TextEncoder().encode(env('AUTH_JWT_SECRET'));
const inszHashKey = env('INSZ_HASH_KEY');
const pool = new pg.Pool({ connectionString, max: Number(process.env.DATABASE_POOL_SIZE ?? 24) });

const eventStore = getPostgreSQLEventStore(connectionString, {
  projections: projections.inline(READ_MODELS),
  connectionOptions: { pool },
});
await eventStore.schema.migrate();
await pool.query(TABLES);
const readStore = pongoClient(connectionString);
for (const name of DOCUMENT_COLLECTIONS) await readStore.db().collection(name).schema.migrate();
await readStore.close();

const handle = CommandHandler<TrajectoryState, PeerEvent>({ evolve: (state, event) => evolve(state, event), initialState: () => initialState });
const policy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
const brusselsDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Decides `command` on the worker's stream and appends what it decides; the inline projections run in the same transaction. */
async function execute(workerId: string, command: TrajectoryCommand, actor: string) {
  const metadata = { actor, recordedAt: new Date().toISOString() };
  const result = await handle(eventStore, `worker-${workerId}`, (state) => {
    if (command.type !== 'RegisterWorker' && !state.registered) throw new UnknownWorker();
    const events = decide(command, state, { today: brusselsDate.format(new Date()), policy });
    return events.map((event, i) => ({ ...event, metadata: i === 0 ? { ...metadata, command: command.type } : metadata }));
  });
  return { workerId, version: Number(result.nextExpectedStreamVersion), position: String(result.lastEventGlobalPosition) };
}

class UnknownWorker extends Error {}

const date = { type: 'string', format: 'date' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const body = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', additionalProperties: false, required, properties }) as const;

const app = Fastify({ bodyLimit: 1024 * 1024 });
app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
  if (request.url === '/health') return;
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  try {
    const { payload } = await jwtVerify(token ?? '', jwtKey, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const roles = Array.isArray(payload.roles) ? (payload.roles as string[]) : [];
    if (!roles.includes('screener') && !roles.includes('coach')) return reply.code(403).send({ status: 403, title: 'Forbidden' });
    (request as FastifyRequest & { actor: string }).actor = payload.sub!;
  } catch {
    return reply.code(401).send({ status: 401, title: 'Unauthorized' });
  }
});
app.setErrorHandler((error: Error, _request, reply) => {
  if (error instanceof RuleViolation) return reply.code(409).send({ status: 409, title: 'Conflict', rule: error.rule });
  if (error instanceof UnknownWorker) return reply.code(404).send({ status: 404, title: 'Not found' });
  if ((error as { validation?: unknown }).validation) return reply.code(400).send({ status: 400, title: 'Bad request', detail: error.message });
  process.stderr.write(`peer: ${error.stack ?? error.message}\n`);
  return reply.code(500).send({ status: 500, title: 'Internal server error' });
});
const actorOf = (request: FastifyRequest) => (request as FastifyRequest & { actor: string }).actor;

app.get('/health', async () => ({ status: 'up' }));

app.post<{
  Body: { insz: string; educationLevel: never; migrationBackground: boolean; disability: boolean; socialAssistance: boolean; unemployedSince?: string };
}>(
  '/v1/workers',
  {
    schema: {
      body: body(
        {
          insz: { type: 'string', minLength: 11, maxLength: 20, pattern: '^[0-9\\s./-]{11,20}$' },
          educationLevel: { enum: EDUCATION_LEVELS },
          migrationBackground: { type: 'boolean' },
          disability: { type: 'boolean' },
          socialAssistance: { type: 'boolean' },
          unemployedSince: date,
        },
        ['insz', 'educationLevel', 'migrationBackground', 'disability', 'socialAssistance'],
      ),
    },
  },
  async (request, reply) => {
    let insz;
    try {
      insz = parseInsz(request.body.insz);
    } catch (error) {
      if (error instanceof InvalidInszError) return reply.code(400).send({ status: 400, title: 'Bad request', detail: error.message });
      throw error;
    }
    // Claim the INSZ (its keyed hash) and seal it under a new data key, in one statement.
    const inszHash = createHmac('sha256', inszHashKey).update(insz.normalized).digest('base64url');
    const { rows } = await pool.query<{ worker_id: string; data_key: Buffer }>(
      `INSERT INTO insz_claims (insz_hash, worker_id, data_key) VALUES ($1, $2, $3)
       ON CONFLICT (insz_hash) DO UPDATE SET insz_hash = excluded.insz_hash RETURNING worker_id, data_key`,
      [inszHash, randomUUID(), randomBytes(32)],
    );
    const { worker_id: workerId, data_key: dataKey } = rows[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
    const sealed = Buffer.concat([iv, cipher.update(insz.normalized, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    const { body: b } = request;
    const answer = await execute(
      workerId,
      {
        type: 'RegisterWorker',
        data: {
          workerId,
          inszCiphertext: sealed,
          coach: null,
          birthYear: insz.birthYear,
          educationLevel: b.educationLevel,
          migrationBackground: b.migrationBackground,
          disability: b.disability,
          unemployedSince: b.unemployedSince ?? null,
          socialAssistance: b.socialAssistance,
        },
      },
      actorOf(request),
    );
    return reply.code(201).send(answer);
  },
);

app.post<{ Params: { id: string }; Body: { date: string; advice: never; programme?: never } }>(
  '/v1/workers/:id/screenings',
  { schema: { params: idParams, body: body({ date, advice: { enum: ADVICES }, programme: { enum: PROGRAMMES } }, ['date', 'advice']) } },
  async (request, reply) => {
    const { date: on, advice, programme } = request.body;
    const command = { type: 'RecordScreening', data: { date: on, advice, programme: programme ?? null, indication: null } } as const;
    return reply.code(201).send(await execute(request.params.id, command, actorOf(request)));
  },
);

app.post<{ Params: { id: string }; Body: { programme: never; enterpriseId: string; startDate: string; fte: number } }>(
  '/v1/workers/:id/placements',
  {
    schema: {
      params: idParams,
      body: body(
        {
          programme: { enum: PROGRAMMES },
          enterpriseId: { type: 'string', minLength: 1, maxLength: 100 },
          startDate: date,
          fte: { type: 'number', minimum: 0.0001, maximum: 1, multipleOf: 0.0001 },
        },
        ['programme', 'enterpriseId', 'startDate', 'fte'],
      ),
    },
  },
  async (request, reply) => {
    const { programme, enterpriseId, startDate, fte } = request.body;
    // The peer keeps no directory: every employer is taken as recognised for the programme.
    const employer = { organisationId: enterpriseId, programmes: [programme] };
    const command = { type: 'StartPlacement', data: { placementId: randomUUID(), programme, enterpriseId, employer, startDate, fte } } as const;
    return reply.code(201).send(await execute(request.params.id, command, actorOf(request)));
  },
);

app.post<{ Params: { id: string }; Body: { date: string; reason: never } }>(
  '/v1/workers/:id/exits',
  { schema: { params: idParams, body: body({ date, reason: { enum: EXIT_REASONS } }, ['date', 'reason']) } },
  async (request, reply) => {
    const command = { type: 'RecordExit', data: { date: request.body.date, reason: request.body.reason } } as const;
    return reply.code(201).send(await execute(request.params.id, command, actorOf(request)));
  },
);

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => eventStore.close())
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
