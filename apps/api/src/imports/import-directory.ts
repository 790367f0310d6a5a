import type { Provider } from '@nestjs/common';
import type { ImportDirectory } from '#application/history-import/person-history.js';
import { Directory } from '#directory/directory.js';

export const IMPORT_DIRECTORY = Symbol('IMPORT_DIRECTORY');

/** The directory as an import asks it: an organisation by its id or enterprise number (any spelling), a coach by sub. */
export const importDirectoryProvider: Provider = {
  provide: IMPORT_DIRECTORY,
  inject: [Directory],
  useFactory: (directory: Directory): ImportDirectory => ({
    employer: (enterpriseId) => directory.resolveEnterprise(enterpriseId),
    coachMembership: (sub) => directory.coachMembership(sub),
  }),
};

/** The directory's answers remembered for one import: it asks about the same few organisations and coaches thousands of times. */
export function rememberingAnswers(directory: ImportDirectory): ImportDirectory {
  const employers = new Map<string, ReturnType<ImportDirectory['employer']>>();
  const coaches = new Map<string, ReturnType<ImportDirectory['coachMembership']>>();
  return {
    employer(enterpriseId) {
      let answer = employers.get(enterpriseId);
      if (!answer) employers.set(enterpriseId, (answer = directory.employer(enterpriseId)));
      return answer;
    },
    coachMembership(sub) {
      let answer = coaches.get(sub);
      if (!answer) coaches.set(sub, (answer = directory.coachMembership(sub)));
      return answer;
    },
  };
}
