import { Controller, Delete, HttpCode, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { appendAuditEntriesIn } from '#audit/audit-log.js';
import { FORGET_NAME_WORDS } from '#read-models/caseload/name-search.js';
import { PersonalData } from '#personal-data/personal-data.js';
import type { Clock } from '#platform/clock.js';
import { CLOCK } from '#platform/tokens.js';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { forgetIdempotentAnswersNaming } from '../../http/idempotency.interceptor.js';
import { WorkerAccess } from '../shared/worker-access.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { ApiErasure } from '../../http/openapi.js';

/**
 * Erasure (GDPR art. 17) that unlinks the person from the trajectory: the INSZ lookup row and the
 * worker's key go, and so does any kept idempotent answer naming the worker. The trajectory stays
 * (statistics do not change) under its random worker id, with INSZ and names unreadable.
 */
@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/personal-data')
export class ErasePersonalDataController {
  constructor(
    private readonly access: WorkerAccess,
    private readonly personalData: PersonalData,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Delete()
  @HttpCode(204)
  @Roles('admin')
  @ApiErasure()
  @ApiOperation({ summary: "Erase the worker's personal data: INSZ and names unreadable, the INSZ no longer linked (204, again 204)" })
  async erase(@Param('id', WorkerIdPipe) workerId: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.access.load(workerId, actor);
    // The kept answers and the audit entry go with the lookup row and the key, in one transaction.
    await this.personalData.erase(workerId, async (tx) => {
      await forgetIdempotentAnswersNaming(tx, workerId);
      await tx.query(FORGET_NAME_WORDS, [workerId]);
      await appendAuditEntriesIn(tx, [
        { actor: actor.sub, action: 'erase', workerId, detail: 'DELETE /v1/workers/{id}/personal-data', at: this.clock.now().toISOString() },
      ]);
    });
  }
}
