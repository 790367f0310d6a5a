import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WorkerCommandExecutor } from '../../../../../libs/application/src/worker-commands.js';
import { InvalidInszError, parseInsz } from '../../../../../libs/domain/src/insz.js';
import { RuleViolation } from '../../../../../libs/domain/src/rules.js';
import { PersonalData, WorkerErasedError } from '../../../../../libs/personal-data/src/personal-data.js';
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
    readonly actor: string,
  ) {
    super();
  }
}

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
      if (error instanceof InvalidInszError) throw invalidInput([{ field: 'insz', message: error.message }]);
      throw error;
    }
    const inszHash = this.personalData.hashInsz(insz.normalized);
    const workerId = this.personalData.workerIdFor(inszHash);
    try {
      // An INSZ registered before lands on its existing stream, and the append refuses it.
      const outcome = await this.executor.execute(
        workerId,
        {
          type: 'RegisterWorker',
          data: {
            workerId,
            inszHash,
            inszCiphertext: await this.personalData.encryptInsz(workerId, insz.normalized),
            birthYear: insz.birthYear,
            educationLevel: body.educationLevel,
            migrationBackground: body.migrationBackground,
            disability: body.disability,
            unemployedSince: body.unemployedSince ?? null,
            socialAssistance: body.socialAssistance,
          },
        },
        { actor },
      );
      return { workerId, version: outcome.version, position: outcome.position };
    } catch (error) {
      // An erased worker is registered too: only their INSZ is gone.
      if ((error instanceof RuleViolation && error.rule === 'worker-already-registered') || error instanceof WorkerErasedError) {
        throw new ProblemException({
          type: problemType('rule/worker-already-registered'),
          title: 'A rule of the trajectory is broken',
          status: 409,
          detail: 'this INSZ is already registered',
          rule: 'worker-already-registered',
          workerId,
        });
      }
      throw error;
    }
  }
}
