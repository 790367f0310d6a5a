import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A command's `201` names the worker it created or changed in `Location: /v1/workers/{id}`: the
 * new worker of a registration (`workerId` in the answer), else the worker of the path
 * (`/v1/workers/{id}/...`). Answers about no worker (an import) carry none. Registered before
 * the Idempotency-Key interceptor, so a replayed answer carries it too.
 */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { id?: unknown } }>>();
    if (request.method !== 'POST') return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        const created = (body as { workerId?: unknown } | null)?.workerId;
        const id = typeof created === 'string' ? created : request.params?.id;
        if (typeof id === 'string' && UUID.test(id))
          void context.switchToHttp().getResponse<FastifyReply>().header('location', `/v1/workers/${id.toLowerCase()}`);
        return body;
      }),
    );
  }
}
