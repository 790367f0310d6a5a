import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { PersonalData } from '#personal-data/personal-data.js';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ProblemException } from '../../http/problem.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerAccess } from '../shared/worker-access.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordNoteDto } from './record-note.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/notes')
export class RecordNoteController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly access: WorkerAccess,
    private readonly personalData: PersonalData,
  ) {}

  @Post()
  @Roles('coach', 'org-admin', 'screener')
  @ApiWorkerCommand('NoteResult')
  @ApiOperation({
    summary: 'Write down a contact, a meeting, a phone call or a note about the worker (not a step)',
    description:
      "The text is personal data: sealed under the worker's key, so erasure shreds it. A note never stands in the way of retracting the latest step, " +
      'and retracting it is 409 not-a-step. After erasure nothing personal can be written: 409 personal-data-erased.',
  })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordNoteDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse & { noteId: string }> {
    // Scope first: a worker key is never made for a worker the caller cannot reach (or that does not exist).
    await this.access.load(workerId, actor);
    const keys = await this.personalData.keysOf([workerId]);
    if (!keys.has(workerId)) throw erased();
    const [textCiphertext] = await this.personalData.sealAll(workerId, [body.text]);
    const noteId = randomUUID();
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(
        workerId,
        { type: 'RecordNote', data: { noteId, date: body.date, kind: body.kind, textCiphertext: textCiphertext! } },
        { actor, expectedVersion },
      ),
    );
    return { noteId, version, position };
  }
}

function erased(): ProblemException {
  return ProblemException.of(
    409,
    'rule/personal-data-erased',
    'Personal data erased',
    'the personal data of this worker were erased: nothing personal can be written about them',
    {
      rule: 'personal-data-erased',
    },
  );
}
