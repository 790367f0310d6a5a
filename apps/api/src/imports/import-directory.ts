import type { ImportDirectory } from '#application/history-import/person-history.js';

/** The directory's answers remembered for one import: it asks about the same few organisations and coaches thousands of times. */
export function rememberingAnswers(directory: ImportDirectory): ImportDirectory {
  const employers = new Map<string, ReturnType<ImportDirectory['resolveEnterprise']>>();
  const coaches = new Map<string, ReturnType<ImportDirectory['coachMembership']>>();
  return {
    resolveEnterprise(enterpriseId) {
      let answer = employers.get(enterpriseId);
      if (!answer) employers.set(enterpriseId, (answer = directory.resolveEnterprise(enterpriseId)));
      return answer;
    },
    coachMembership(sub) {
      let answer = coaches.get(sub);
      if (!answer) coaches.set(sub, (answer = directory.coachMembership(sub)));
      return answer;
    },
  };
}
