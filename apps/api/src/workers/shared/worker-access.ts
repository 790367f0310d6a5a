import { Injectable } from '@nestjs/common';
import { WorkerCommandExecutor, WorkerNotFoundError, type LoadedWorker } from '#application/worker-commands.js';
import type { Actor } from '../../http/auth.js';

/**
 * A worker for a read, as the actor may see them: the executor's loader decides the actor's reach
 * (libs/access/src/reach.ts), and a worker out of it is refused exactly as an unknown one (404).
 */
@Injectable()
export class WorkerAccess {
  constructor(private readonly executor: WorkerCommandExecutor) {}

  async load(workerId: string, actor: Actor): Promise<LoadedWorker> {
    const loaded = await this.executor.load(workerId, actor);
    if (loaded.version === 0 || !loaded.state.registered) throw new WorkerNotFoundError(workerId);
    return loaded;
  }
}
