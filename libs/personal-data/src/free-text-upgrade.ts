import type { SqlDatabase } from '#sql/sql.js';
import type { PersonalData } from './personal-data.js';

export interface FreeTextUpgradeReport {
  /** events whose plain free text was sealed (or dropped, for an erased worker) */
  events: number;
  /** of which belonged to a worker erased before the upgrade: their text is dropped, not sealed */
  erased: number;
}

type Data = Record<string, unknown>;

/**
 * Seals the free text of events written before it was stored sealed: a POP's plain `goals`
 * (V1.PopEstablished, V1.PopReviewed) and a retraction's plain `reason` (V1.StepRetracted, with
 * the goals of a retracted POP inside it). Each such event is rewritten in place, in the shape the
 * service writes today, under the worker's key (PersonalData.sealFreeText); for a worker erased
 * already, the text is dropped, as erasure would have shredded it. Run it with the service stopped,
 * on a migrated database; a second run finds nothing to do. KurrentDB events cannot be rewritten:
 * there the upcaster reads the old text as it was (docs/erasure-and-audit.md).
 */
export async function sealStoredFreeText(db: SqlDatabase, personalData: PersonalData): Promise<FreeTextUpgradeReport> {
  const { rows } = await db.query<{ stream_id: string; stream_version: number; type: string; data: Data }>(
    `SELECT stream_id, stream_version, type, data FROM events
      WHERE stream_id LIKE 'worker-%'
        AND ((type IN ('V1.PopEstablished', 'V1.PopReviewed') AND data ? 'goals')
          OR (type = 'V1.StepRetracted' AND (data ? 'reason' OR data->'step'->'data' ? 'goals')))
      ORDER BY global_position`,
  );
  let erased = 0;
  for (const row of rows) {
    const workerId = row.stream_id.slice('worker-'.length);
    const seal = async (text: string) => (await personalData.sealFreeText(workerId, [text]))[0];
    const sealGoals = async ({ goals, ...rest }: Data): Promise<Data> =>
      goals === undefined ? rest : { ...rest, goalsCiphertext: await seal(JSON.stringify(goals)) };
    let data: Data;
    if (row.type === 'V1.StepRetracted') {
      const { reason, step, ...rest } = row.data as Data & { step: { type: string; data: Data } };
      data = {
        ...rest,
        step: { ...step, data: await sealGoals(step.data) },
        ...(reason === undefined ? {} : { reasonCiphertext: await seal(reason as string) }),
      };
    } else {
      data = await sealGoals(row.data);
    }
    if (!(await personalData.keysOf([workerId])).has(workerId)) erased++;
    await db.query('UPDATE events SET data = $3::jsonb WHERE stream_id = $1 AND stream_version = $2', [
      row.stream_id,
      row.stream_version,
      JSON.stringify(data),
    ]);
  }
  return { events: rows.length, erased };
}
