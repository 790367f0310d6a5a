import type { Provider } from '@nestjs/common';
import type { ImportDirectory } from '#application/history-import/person-history.js';
import type { Programme } from '#domain/vocabulary.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';

export const IMPORT_DIRECTORY = Symbol('IMPORT_DIRECTORY');

/** The directory as an import asks it: an organisation by its id or enterprise number (any spelling), a coach by sub. */
export class SqlImportDirectory implements ImportDirectory {
  constructor(private readonly db: SqlDatabase) {}

  async employer(enterpriseId: string): Promise<{ organisationId: string; programmes: readonly Programme[] } | null> {
    const number = enterpriseId.replace(/^be/i, '').replace(/[\s.]/g, '');
    const { rows } = await this.db.query<{ organisation_id: string; programmes: Programme[] }>(
      'SELECT organisation_id, programmes FROM organisations WHERE organisation_id = $1 OR enterprise_number = $2',
      [enterpriseId, number],
    );
    return rows[0] ? { organisationId: rows[0].organisation_id, programmes: rows[0].programmes } : null;
  }

  async isCoach(sub: string): Promise<boolean> {
    const { rows } = await this.db.query("SELECT 1 FROM organisation_members WHERE sub = $1 AND 'coach' = ANY(roles)", [sub]);
    return rows.length > 0;
  }
}

export const importDirectoryProvider: Provider = {
  provide: IMPORT_DIRECTORY,
  inject: [SQL_DATABASE],
  useFactory: (db: SqlDatabase) => new SqlImportDirectory(db),
};

/** The directory's answers remembered for one import: it asks about the same few organisations and coaches thousands of times. */
export function rememberingAnswers(directory: ImportDirectory): ImportDirectory {
  const employers = new Map<string, ReturnType<ImportDirectory['employer']>>();
  const coaches = new Map<string, Promise<boolean>>();
  return {
    employer(enterpriseId) {
      let answer = employers.get(enterpriseId);
      if (!answer) employers.set(enterpriseId, (answer = directory.employer(enterpriseId)));
      return answer;
    },
    isCoach(sub) {
      let answer = coaches.get(sub);
      if (!answer) coaches.set(sub, (answer = directory.isCoach(sub)));
      return answer;
    },
  };
}
