import type { SqlDatabase } from '#sql/sql.js';
import type { PersonalData } from './personal-data.js';

export interface FreeTextUpgradeReport {
  /** events whose plain free text was sealed (or dropped, for an erased worker) */
  events: number;
  /** of which belonged to a worker erased before the upgrade: their text is dropped, not sealed */
  erased: number;
}

type Data = Record<string, unknown>;
type Sealer = (text: string) => Promise<string | null>;

/**
 * Seals the free text of events written before it was stored sealed: a POP's plain `goals`
 * (V1.PopEstablished, V1.PopReviewed), a retraction's plain `reason` (V1.StepRetracted, with the
 * step inside it), and an employer typed as free text (V1.PlacementStarted whose `enterpriseId`
 * names no organisation of the directory: it becomes `null`, the text `enterpriseTextCiphertext`).
 * Each such event is rewritten in place, in the shape the service reads today, under the worker's
 * key (PersonalData.sealFreeText); for a worker erased already, the text is dropped, as erasure
 * would have shredded it. Run it with the service stopped, on a migrated database; a second run
 * finds nothing to do. KurrentDB events cannot be rewritten: there the upcaster reads the old
 * text as it was (docs/erasure-and-audit.md).
 */
export async function sealStoredFreeText(db: SqlDatabase, personalData: PersonalData): Promise<FreeTextUpgradeReport> {
  const { rows: organisations } = await db.query<{ organisation_id: string }>('SELECT organisation_id FROM organisations');
  const registered = new Set(organisations.map((row) => row.organisation_id));
  const { rows } = await db.query<{ stream_id: string; stream_version: number; type: string; data: Data }>(
    `SELECT stream_id, stream_version, type, data FROM events
      WHERE stream_id LIKE 'worker-%' AND type IN ('V1.PopEstablished', 'V1.PopReviewed', 'V1.PlacementStarted', 'V1.StepRetracted')
      ORDER BY global_position`,
  );
  let events = 0;
  let erased = 0;
  for (const row of rows) {
    const workerId = row.stream_id.slice('worker-'.length);
    const seal: Sealer = async (text) => (await personalData.sealFreeText(workerId, [text]))[0];
    const data = await sealedEvent(row.type.slice('V1.'.length), row.data, seal, registered);
    if (data === null) continue;
    events++;
    if (!(await personalData.keysOf([workerId])).has(workerId)) erased++;
    await db.query('UPDATE events SET data = $3::jsonb WHERE stream_id = $1 AND stream_version = $2', [
      row.stream_id,
      row.stream_version,
      JSON.stringify(data),
    ]);
  }
  return { events, erased };
}

/** The event's data with its plain free text sealed, or null when it holds none. */
async function sealedEvent(type: string, data: Data, seal: Sealer, registered: ReadonlySet<string>): Promise<Data | null> {
  switch (type) {
    case 'PopEstablished':
    case 'PopReviewed': {
      const { goals, ...rest } = data;
      return goals === undefined ? null : { ...rest, goalsCiphertext: await seal(JSON.stringify(goals)) };
    }
    case 'PlacementStarted': {
      const enterpriseId = data.enterpriseId;
      if (typeof enterpriseId !== 'string' || registered.has(enterpriseId)) return null;
      return { ...data, enterpriseId: null, enterpriseTextCiphertext: await seal(enterpriseId) };
    }
    case 'StepRetracted': {
      const { reason, step, ...rest } = data as Data & { step: { type: string; data: Data } };
      const sealedStep = await sealedEvent(step.type, step.data, seal, registered);
      if (reason === undefined && sealedStep === null) return null;
      return {
        ...rest,
        step: sealedStep === null ? step : { ...step, data: sealedStep },
        ...(reason === undefined ? {} : { reasonCiphertext: await seal(reason as string) }),
      };
    }
    default:
      return null;
  }
}
