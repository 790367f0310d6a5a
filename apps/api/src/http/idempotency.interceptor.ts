import {
  HttpStatus,
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import type { Secrets } from '#platform/secrets.js';
import { SECRETS, SQL_DATABASE } from '#platform/tokens.js';
import type { Actor } from './auth.js';
import { invalidInput, ProblemException } from './problem.js';

/** Kept answers expire: a repeat after this is a new request. */
const RETENTION = '24 hours';
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Erasure: drops every kept answer that names the worker (a registration's answer names its
 * workerId, and its request hash is keyed over a body holding the INSZ).
 */
export async function forgetIdempotentAnswersNaming(db: SqlClient, workerId: string): Promise<void> {
  await db.query("DELETE FROM idempotency_keys WHERE body->>'workerId' = $1", [workerId]);
}

/** The status the route answers with on success (`@HttpCode`, else 201 for POST). */
function statusOf(context: ExecutionContext): number {
  return (Reflect.getMetadata('__httpCode__', context.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `Idempotency-Key` on POST commands, per user (JWT `sub`): the first successful answer is kept in
 * the read store (so it survives restarts) for 24 hours; a repeat with the same request gets that
 * answer and appends nothing; the same key with another request is 422; a repeat while the first
 * is still running is 409. A failed request keeps nothing, so its key can be used again. The
 * request is remembered only as an HMAC under a service secret: a body holding an INSZ cannot be
 * recognised from the record by hashing guesses.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleInit, OnModuleDestroy {
  private readonly hashKey: Buffer;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    this.hashKey = createHmac('sha256', secrets.inszHashKey).update('idempotency-records').digest();
  }

  async onModuleInit(): Promise<void> {
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Deletes expired records (claims skip them anyway). */
  async sweep(): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${RETENTION}'`);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.actor) return next.handle();
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw invalidInput([{ field: 'Idempotency-Key', code: 'bad-format', message: 'must be 1 to 200 visible ASCII characters' }]);
    }
    const actor = request.actor.sub;
    const hash = createHmac('sha256', this.hashKey)
      .update(`${request.method} ${targetOf(request)}\n${canonical(request.body ?? null)}`)
      .digest('hex');

    return from(this.claim(actor, key, hash)).pipe(
      mergeMap((stored) => {
        if (stored) {
          void reply.status(stored.status).header('idempotent-replayed', 'true');
          return of(stored.body);
        }
        return next.handle().pipe(
          // A handler may answer otherwise than its route's default (a repeated manual follow-up: 200).
          mergeMap((body) =>
            from(this.complete(actor, key, reply.statusCode === Number(HttpStatus.OK) ? HttpStatus.OK : statusOf(context), body)).pipe(
              mergeMap(() => of(body)),
            ),
          ),
          catchError((error: unknown) => from(this.release(actor, key)).pipe(mergeMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Claims the key for this request, or returns the stored answer of the first one. */
  private async claim(actor: string, key: string, hash: string): Promise<{ status: number; body: unknown } | null> {
    // An expired record is taken over as if it were not there.
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys (actor, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (actor, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = now()
        WHERE idempotency_keys.created_at < now() - interval '${RETENTION}'`,
      [actor, key, hash],
    );
    if (inserted.rowCount === 1) return null;
    const { rows } = await this.db.query<{ request_hash: string; status: number | null; body: unknown }>(
      'SELECT request_hash, status, body FROM idempotency_keys WHERE actor = $1 AND key = $2',
      [actor, key],
    );
    const row = rows[0];
    if (!row) return this.claim(actor, key, hash);
    if (row.request_hash !== hash) {
      throw ProblemException.of(422, 'idempotency-key-reused', 'Idempotency key reused', 'this Idempotency-Key was used for another request');
    }
    if (row.status === null) {
      throw ProblemException.of(409, 'idempotency-key-in-use', 'Request in progress', 'a request with this Idempotency-Key is still running', {
        rule: 'idempotency-key-in-use',
      });
    }
    return { status: row.status, body: row.body };
  }

  private async complete(actor: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db.query('UPDATE idempotency_keys SET status = $3, body = $4 WHERE actor = $1 AND key = $2', [actor, key, status, JSON.stringify(body ?? null)]);
  }

  private async release(actor: string, key: string): Promise<void> {
    await this.db.query('DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND status IS NULL', [actor, key]);
  }
}

/**
 * The request's target as the router resolved it: the route and its parameters, lower-cased (they
 * are worker ids, UUIDs in either case), so another spelling of the same URL is the same request.
 */
function targetOf(request: FastifyRequest): string {
  const params = Object.entries((request.params ?? {}) as Record<string, unknown>).map(([name, value]) => `${name}=${String(value).toLowerCase()}`);
  return `${request.routeOptions.url ?? request.url} ${params.join('&')}`;
}
