import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import { WorkerCommandExecutor, type CommandOptions, type CommandOutcome } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';
import { AuditTrail } from '../../audit/audit-trail.js';

/** A trajectory command for one worker, as the HTTP slices send it on the command bus. */
export class ExecuteWorkerCommand extends Command<CommandOutcome> {
  constructor(
    readonly workerId: string,
    readonly command: TrajectoryCommand,
    readonly options: CommandOptions,
  ) {
    super();
  }
}

@CommandHandler(ExecuteWorkerCommand)
export class ExecuteWorkerCommandHandler implements ICommandHandler<ExecuteWorkerCommand, CommandOutcome> {
  constructor(
    private readonly executor: WorkerCommandExecutor,
    private readonly audit: AuditTrail,
  ) {}

  /** Runs the command (scoped by the executor) and records it in the audit trail once it succeeded. */
  async execute({ workerId, command, options }: ExecuteWorkerCommand): Promise<CommandOutcome> {
    const outcome = await this.executor.execute(workerId, command, options);
    await this.audit.record([{ actor: options.actor, action: 'command', workerId, detail: command.type }]);
    return outcome;
  }
}

/** The fields every command answer carries (api.md "Consistency"). */
export class CommandResponse {
  version!: number;
  position!: string;
}
