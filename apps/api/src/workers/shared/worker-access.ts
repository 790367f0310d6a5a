import { Injectable } from '@nestjs/common';
import { WorkerCommandExecutor, WorkerNotFoundError, inScope, type CommandOptions, type LoadedWorker, type WorkerScope } from '#application/worker-commands.js';
import type { Actor } from '../../http/auth.js';

/**
 * Caseload scoping (object-level authorization), decided in one place: a user who is a coach and
 * neither a screener nor an admin reaches only the workers currently assigned to them. Every
 * other worker answers them exactly as an unknown worker does (404).
 */
export function scopeOf(actor: Actor): WorkerScope | undefined {
  const unscoped = actor.roles.includes('screener') || actor.roles.includes('admin');
  return unscoped ? undefined : { coach: actor.sub };
}

/** The options of a command by `actor`: who records it, and the reach the executor enforces. */
export function commandOptions(actor: Actor, expectedVersion?: number): CommandOptions {
  const scope = scopeOf(actor);
  return { actor: actor.sub, ...(expectedVersion === undefined ? {} : { expectedVersion }), ...(scope ? { scope } : {}) };
}

/** Loads a worker for a read, refusing (as unknown) a worker outside the actor's caseload. */
@Injectable()
export class WorkerAccess {
  constructor(private readonly executor: WorkerCommandExecutor) {}

  async load(workerId: string, actor: Actor): Promise<LoadedWorker> {
    const loaded = await this.executor.load(workerId);
    if (!loaded.state.registered || !inScope(scopeOf(actor), loaded.state)) throw new WorkerNotFoundError(workerId);
    return loaded;
  }
}
