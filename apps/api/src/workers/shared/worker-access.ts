import { Injectable } from '@nestjs/common';
import { WorkerCommandExecutor, WorkerNotFoundError, type LoadedWorker } from '#application/worker-commands.js';
import type { Actor } from '../../http/auth.js';
import type { LoadedInScope } from '../../http/worker-scope.js';

/**
 * A worker for a read, as the actor may see them: the executor's loader decides the actor's reach
 * (libs/access/src/reach.ts), and a worker out of it is refused exactly as an unknown one (404).
 */
@Injectable()
export class WorkerAccess {
  constructor(private readonly executor: WorkerCommandExecutor) {}

  /** `inScope`: what the scope hook read for this request (http/worker-scope.ts), used instead of a second read. */
  async load(workerId: string, actor: Actor, inScope: LoadedInScope | null = null): Promise<LoadedWorker> {
    const loaded = inScope?.workerId === workerId ? inScope.loaded : await this.executor.load(workerId, actor);
    if (loaded.version === 0 || !loaded.state.registered) throw new WorkerNotFoundError(workerId);
    return loaded;
  }
}
