import { Inject, Injectable } from '@nestjs/common';
import { DeclarationRevisions } from '#application/declaration-revisions.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { EmploymentDeclaration, EmploymentRegister } from '#employment-register/employment-register.js';
import type { EventStore } from '#event-store/event-store.js';
import { EMPLOYMENT_REGISTER, EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * Imports declarations and queues the revision of the provisional six-month results they cover;
 * the worker process makes the revisions (DeclarationRevisions), so an import never waits for the
 * projections, and an API without a worker answers at once.
 */
@Injectable()
export class LateDeclarations {
  private readonly revisions: DeclarationRevisions;

  constructor(
    @Inject(EMPLOYMENT_REGISTER) register: EmploymentRegister,
    @Inject(SQL_DATABASE) db: SqlDatabase,
    @Inject(EVENT_STORE) store: EventStore,
    executor: WorkerCommandExecutor,
  ) {
    this.revisions = new DeclarationRevisions(db, store, register, executor);
  }

  async import(declarations: readonly EmploymentDeclaration[]): Promise<{ accepted: number }> {
    return { accepted: await this.revisions.import(declarations) };
  }
}
