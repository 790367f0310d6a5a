import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import { RuleViolation } from '#domain/rules.js';
import { PersonalData, WorkerErasedError } from '#personal-data/personal-data.js';
import type { Actor } from '../../http/auth.js';
import { invalidInput, ProblemException, problemType } from '../../http/problem.js';
import { scopeOf } from '../shared/worker-access.js';
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
 * Registration. The worker id is random; the INSZ is claimed in the lookup table first (one
 * statement on its primary key), then the registration is appended as a new stream under the
 * claimed id. A second registration of the INSZ gets the same id from the claim and is refused by
 * the event store's new-stream check, atomically on every adapter. A claim whose append never
 * happened (a crash in between) is simply completed by the next registration of that INSZ.
 */
@CommandHandler(RegisterWorkerCommand)
export class RegisterWorkerHandler implements ICommandHandler<RegisterWorkerCommand, RegisterWorkerResult> {
  constructor(
    private readonly executor: WorkerCommandExecutor,
    private readonly personalData: PersonalData,
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
      const [inszCiphertext, givenNameCiphertext, familyNameCiphertext] = sealed;
      const outcome = await this.executor.execute(
        workerId,
        {
          type: 'RegisterWorker',
          data: {
            workerId,
            inszCiphertext: inszCiphertext!,
            givenNameCiphertext: givenNameCiphertext ?? null,
            familyNameCiphertext: familyNameCiphertext ?? null,
            coach,
            birthYear: insz.birthYear,
            educationLevel: body.educationLevel,
            migrationBackground: body.migrationBackground,
            disability: body.disability,
            unemployedSince: body.unemployedSince ?? null,
            socialAssistance: body.socialAssistance,
          },
        },
        { actor: actor.sub },
      );
      return { workerId, version: outcome.version, position: outcome.position };
    } catch (error) {
      if (error instanceof RuleViolation && error.rule === 'worker-already-registered') throw await this.alreadyRegistered(workerId, actor);
      throw error;
    }
  }

  private async alreadyRegistered(workerId: string, actor: Actor): Promise<ProblemException> {
    return new ProblemException({
      type: problemType('rule/worker-already-registered'),
      title: 'A rule of the trajectory is broken',
      status: 409,
      detail: 'this INSZ is already registered',
      rule: 'worker-already-registered',
      ...((await this.mayName(workerId, actor)) ? { workerId } : {}),
    });
  }

  /** A coach learns the existing worker's id only when that worker is in their caseload. */
  private async mayName(workerId: string, actor: Actor): Promise<boolean> {
    const scope = scopeOf(actor);
    if (!scope) return true;
    const { state } = await this.executor.load(workerId);
    return state.coach === scope.coach;
  }
}
