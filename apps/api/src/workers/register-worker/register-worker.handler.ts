import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WorkerCommandExecutor } from '../../../../../libs/application/src/worker-commands.js';
import { InvalidInszError, parseInsz } from '../../../../../libs/domain/src/insz.js';
import { RuleViolation } from '../../../../../libs/domain/src/rules.js';
import { PersonalData } from '../../../../../libs/personal-data/src/personal-data.js';
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
      // Refused before the INSZ is sealed, which makes the worker's key: an erased worker keeps none.
      if ((await this.executor.load(workerId)).state.registered) throw new RuleViolation('worker-already-registered');
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
      if (error instanceof RuleViolation && error.rule === 'worker-already-registered') {
        throw new ProblemException({
          type: problemType('rule/worker-already-registered'),
          title: 'A rule of the trajectory is broken',
          status: 409,
          detail: 'this INSZ is already registered',
          rule: error.rule,
          workerId,
        });
      }
      throw error;
    }
  }
}
