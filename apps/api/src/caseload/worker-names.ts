import { Inject, Injectable } from '@nestjs/common';
import { PersonalData } from '#personal-data/personal-data.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { Actor } from '../http/auth.js';

export interface WorkerName {
  givenName: string | null;
  familyName: string | null;
}

const NO_NAME: WorkerName = { givenName: null, familyName: null };

/**
 * The names a list shows beside each worker (due checks, return guarantees), opened for this
 * answer only; the list is recorded as a read of every worker it names, as the caseload is.
 */
@Injectable()
export class WorkerNames {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly personalData: PersonalData,
    private readonly audit: AuditTrail,
  ) {}

  async of(workerIds: readonly string[], actor: Actor, detail: string): Promise<(id: string) => WorkerName> {
    const ids = [...new Set(workerIds)];
    if (ids.length === 0) return () => NO_NAME;
    const { rows } = await this.db.query<{ worker_id: string; given_name_ciphertext: string | null; family_name_ciphertext: string | null }>(
      'SELECT worker_id, given_name_ciphertext, family_name_ciphertext FROM caseload_workers WHERE worker_id = ANY($1::text[])',
      [ids],
    );
    const keys = await this.personalData.keysOf(ids);
    const names = new Map(
      rows.map((row) => {
        const key = keys.get(row.worker_id);
        return [
          row.worker_id,
          { givenName: this.personalData.open(key, row.given_name_ciphertext), familyName: this.personalData.open(key, row.family_name_ciphertext) },
        ];
      }),
    );
    await this.audit.record(
      [...names]
        .filter(([, name]) => name.givenName !== null || name.familyName !== null)
        .map(([workerId]) => ({ actor: actor.sub, action: 'read' as const, workerId, detail })),
    );
    return (id) => names.get(id) ?? NO_NAME;
  }
}
