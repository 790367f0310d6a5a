/**
 * The peer's read models, as inline projections of Emmett's PostgreSQL event store: written in the
 * transaction of each append, the way the sample `samples/webApi/expressjs-with-postgresql` of
 * Emmett 0.42.0 writes its shopping-cart details and client summaries (Pongo documents), plus one
 * raw-SQL projection for the audit entries (a row per command). The same four read models as the
 * service's: flow counts per programme and year, the caseload, audit entries, the follow-up schedule.
 */
import { SQL } from '@event-driven-io/dumbo';
import type { ReadEvent } from '@event-driven-io/emmett';
import { pongoMultiStreamProjection, pongoSingleStreamProjection, postgreSQLRawSQLProjection } from '@event-driven-io/emmett-postgresql';
import { yearOf } from '#domain/calendar.js';
import type { TrajectoryEvent } from '#domain/events.js';

/** Events as the peer stores them: the domain's own, with the command's metadata. */
export type PeerEvent = TrajectoryEvent & { metadata: { actor: string; command?: string; recordedAt: string } };

/** FTE in integer units of 1/10,000, as the service counts them. */
const fteUnits = (fte: number) => Math.round(fte * 10_000);

/**
 * Per programme and year: placements started and ended, with their FTE (the service's
 * stat_flow_counts). A raw-SQL projection with an atomic upsert: a Pongo document per programme and
 * year (pongoMultiStreamProjection, as the sample's client summaries) lost updates when appends
 * ran concurrently (90 of 145 placements counted in a probe at 16 clients): each transaction read
 * the document before the others committed and wrote back its own sum.
 */
export const flowCountsProjection = postgreSQLRawSQLProjection<PeerEvent>({
  name: 'flowCounts',
  canHandle: ['PlacementStarted', 'WorkerExited'],
  evolve: (event) => {
    const { type, data } = event as TrajectoryEvent;
    if (type === 'PlacementStarted') return addCounts(data.programme, yearOf(data.startDate), { inflow: 1, fteIn: fteUnits(data.fte) });
    if (type === 'WorkerExited') {
      return addCounts(data.programme, yearOf(data.date), { outflow: 1, fteOut: fteUnits(data.fte), excluded: data.followUpReferenceDate === null ? 1 : 0 });
    }
    return [];
  },
});

function addCounts(programme: string, year: number, { inflow = 0, outflow = 0, fteIn = 0, fteOut = 0, excluded = 0 }: Record<string, number>) {
  return SQL`INSERT INTO flow_counts AS f (programme, year, inflow, outflow, fte_units_in, fte_units_out, exits_excluded)
    VALUES (${programme}, ${year}, ${inflow}, ${outflow}, ${fteIn}, ${fteOut}, ${excluded})
    ON CONFLICT (programme, year) DO UPDATE SET inflow = f.inflow + excluded.inflow, outflow = f.outflow + excluded.outflow,
      fte_units_in = f.fte_units_in + excluded.fte_units_in, fte_units_out = f.fte_units_out + excluded.fte_units_out,
      exits_excluded = f.exits_excluded + excluded.exits_excluded`;
}

type CaseloadEntry = {
  workerId: string;
  coach: string | null;
  status: 'registered' | 'screened' | 'placed' | 'exited';
  programme: string | null;
  lastStepOn: string | null;
};

/** One document per worker: coach, where the trajectory stands, the current programme (the service's caseload_workers). */
export const caseloadProjection = pongoSingleStreamProjection<CaseloadEntry, PeerEvent>({
  collectionName: 'caseload',
  canHandle: ['WorkerRegistered', 'ScreeningRecorded', 'PlacementStarted', 'WorkerExited'],
  evolve: (document: CaseloadEntry | null, { type, data }: ReadEvent<PeerEvent>): CaseloadEntry | null => {
    switch (type) {
      case 'WorkerRegistered':
        return { workerId: data.workerId, coach: data.coach ?? null, status: 'registered', programme: null, lastStepOn: null };
      case 'ScreeningRecorded':
        return document && { ...document, status: 'screened', programme: data.programme, lastStepOn: data.date };
      case 'PlacementStarted':
        return document && { ...document, status: 'placed', programme: data.programme, lastStepOn: data.startDate };
      case 'WorkerExited':
        return document && { ...document, status: 'exited', lastStepOn: data.date };
      default:
        return document;
    }
  },
});

type FollowUpCheck = {
  placementId: string;
  programme: string;
  exitDate: string;
  referenceDate: string | null;
  status: 'scheduled' | 'excluded';
};

/** One document per exit: the six-month check and its reference date (the service's follow_up_checks). */
export const followUpScheduleProjection = pongoMultiStreamProjection<FollowUpCheck, PeerEvent>({
  collectionName: 'followUpChecks',
  canHandle: ['WorkerExited'],
  getDocumentId: (event) => ((event as ReadEvent<TrajectoryEvent>).type === 'WorkerExited' ? (event.data as { placementId: string }).placementId : 'none'),
  evolve: (_document: FollowUpCheck | null, { type, data }: ReadEvent<PeerEvent>): FollowUpCheck | null => {
    if (type !== 'WorkerExited') return null;
    return {
      placementId: data.placementId,
      programme: data.programme,
      exitDate: data.date,
      referenceDate: data.followUpReferenceDate,
      status: data.followUpReferenceDate === null ? 'excluded' : 'scheduled',
    };
  },
});

/** A row per command, from its first event's metadata: who, what, on which worker, when (the service's audit_log, without its hash chain). */
export const auditProjection = postgreSQLRawSQLProjection<PeerEvent>({
  name: 'auditEntries',
  canHandle: ['WorkerRegistered', 'ScreeningRecorded', 'PlacementStarted', 'WorkerExited'],
  evolve: (event) => {
    const { metadata } = event as unknown as ReadEvent<PeerEvent> & { metadata: PeerEvent['metadata'] & { streamName: string } };
    if (!metadata.command) return [];
    return SQL`INSERT INTO audit_entries (at, actor, action, worker_id) VALUES (${metadata.recordedAt}, ${metadata.actor}, ${metadata.command}, ${metadata.streamName})`;
  },
});

export const READ_MODELS = [flowCountsProjection, caseloadProjection, followUpScheduleProjection, auditProjection];

/** The Pongo collections, made before the first request (made lazily, concurrent first writes raced each other and failed). */
export const DOCUMENT_COLLECTIONS = ['caseload', 'followUpChecks'];

/** The tables of the raw-SQL read models and of the INSZ claim. */
export const TABLES = `
  CREATE TABLE IF NOT EXISTS flow_counts (programme text NOT NULL, year int NOT NULL, inflow int NOT NULL, outflow int NOT NULL,
    fte_units_in bigint NOT NULL, fte_units_out bigint NOT NULL, exits_excluded int NOT NULL, PRIMARY KEY (programme, year));
  CREATE TABLE IF NOT EXISTS audit_entries (seq bigserial PRIMARY KEY, at timestamptz NOT NULL, actor text NOT NULL, action text NOT NULL, worker_id text NOT NULL);
  CREATE TABLE IF NOT EXISTS insz_claims (insz_hash text PRIMARY KEY, worker_id text NOT NULL, data_key bytea NOT NULL);`;
