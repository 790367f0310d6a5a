import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { Directory } from '#directory/directory.js';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import { RuleViolation } from '#domain/rules.js';
import type { RegisterWorker } from '#domain/commands.js';
import { decide, initialState } from '#domain/index.js';
import { PersonalData, WorkerErasedError } from '#personal-data/personal-data.js';
import { AuditTrail } from '../../audit/audit-trail.js';
import type { Actor } from '../../http/auth.js';
import { invalidInput, ProblemException, problemType } from '../../http/problem.js';
import type { RegisterWorkerDto } from './register-worker.dto.js';

export interface RegisterWorkerResult {
  workerId: string;
  version: number;
  position: string;
}

export class RegisterWorkerCommand extends Command<RegisterWorkerResult> {
  constructor(
    readonly body: RegisterWorkerDto,
    readonly actor: Actor,
  ) {
    super();
  }
}

/**
 * Registration. The worker id is random; the directory's answer about the coach is checked by the
 * domain before anything is claimed; the INSZ is claimed in the lookup table (one statement on its
 * primary key), then the registration is appended as a new stream under the claimed id. A second
 * registration of the INSZ gets the same id from the claim and is refused by the event store's
 * new-stream check, atomically on every adapter. A claim whose append never happened (a crash in
 * between) is simply completed by the next registration of that INSZ.
 */
@CommandHandler(RegisterWorkerCommand)
export class RegisterWorkerHandler implements ICommandHandler<RegisterWorkerCommand, RegisterWorkerResult> {
  constructor(
    private readonly executor: WorkerCommandExecutor,
    private readonly personalData: PersonalData,
    private readonly audit: AuditTrail,
    private readonly directory: Directory,
  ) {}

  async execute({ body, actor }: RegisterWorkerCommand): Promise<RegisterWorkerResult> {
    let insz;
    try {
      insz = parseInsz(body.insz);
    } catch (error) {
      if (error instanceof InvalidInszError) throw invalidInput([{ field: 'insz', code: error.code, message: error.message }]);
      throw error;
    }
    const inszHash = this.personalData.hashInsz(insz.normalized);
    const coach = body.coach ?? (actor.roles.includes('coach') ? actor.sub : null);
    const coachMembership = coach === null ? null : await this.directory.coachMembership(coach);
    const registration = (workerId: string, sealed: readonly (string | null)[]): RegisterWorker => ({
      type: 'RegisterWorker',
      data: {
        workerId,
        inszCiphertext: sealed[0] ?? '',
        givenNameCiphertext: sealed[1] ?? null,
        familyNameCiphertext: sealed[2] ?? null,
        coach,
        coachMembership,
        birthYear: insz.birthYear,
        educationLevel: body.educationLevel,
        migrationBackground: body.migrationBackground,
        disability: body.disability,
        unemployedSince: body.unemployedSince ?? null,
        socialAssistance: body.socialAssistance,
      },
    });
    // The domain's rules first, as on a new stream (unknown-coach): a refused registration claims no INSZ and makes no key.
    decide(registration('', []), initialState, this.executor.context());
    // The claim decides the worker id; it and the worker's key are one statement.
    let workerId: string;
    let sealed: (string | null)[];
    try {
      ({ workerId, sealed } = await this.personalData.claimAndSeal(inszHash, randomUUID(), [insz.normalized, body.givenName ?? null, body.familyName ?? null]));
    } catch (error) {
      if (error instanceof WorkerErasedError) throw await this.alreadyRegistered(error.workerId, actor);
      throw error;
    }
    try {
      const outcome = await this.executor.execute(workerId, registration(workerId, sealed), { actor });
      return { workerId, version: outcome.version, position: outcome.position };
    } catch (error) {
      if (error instanceof RuleViolation && error.rule === 'worker-already-registered') throw await this.alreadyRegistered(workerId, actor);
      throw error;
    }
  }

  /**
   * The refusal of an INSZ already registered. It tells the caller that this person is known, so it
   * is a lookup, and recorded as one (api.md third round, "Lookups are audited").
   */
  private async alreadyRegistered(workerId: string, actor: Actor): Promise<ProblemException> {
    await this.audit.record([{ actor: actor.sub, action: 'lookup', workerId, detail: 'POST /v1/workers (worker-already-registered)' }]);
    return new ProblemException({
      type: problemType('rule/worker-already-registered'),
      title: 'A rule of the trajectory is broken',
      status: 409,
      detail: 'this INSZ is already registered',
      rule: 'worker-already-registered',
      ...((await this.mayName(workerId, actor)) ? { workerId } : {}),
    });
  }

  /** The caller learns the existing worker's id only when that worker is within their reach. */
  private async mayName(workerId: string, actor: Actor): Promise<boolean> {
    return (await this.executor.load(workerId, actor)).version > 0;
  }
}
