import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import { WorkerCommandExecutor, type CommandOptions, type CommandOutcome } from '#application/worker-commands.js';
import type { TrajectoryCommand } from '#domain/commands.js';

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
  constructor(private readonly executor: WorkerCommandExecutor) {}

  /** Runs the command (scoped by the executor); its audit entry is derived from its events (AuditProjection). */
  execute({ workerId, command, options }: ExecuteWorkerCommand): Promise<CommandOutcome> {
    return this.executor.execute(workerId, command, options);
  }
}

/** The fields every command answer carries (api.md "Consistency"). */
export class CommandResponse {
  version!: number;
  position!: string;
}
