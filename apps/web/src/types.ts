/** The API's answers as the browser app reads them (the served OpenAPI description has the full schemas). */

export const PROGRAMMES = ['SW', 'BW', 'MAATWERK', 'INVOEG_DC', 'INVOEG_NDC', 'LDE', 'ARBEIDSZORG'] as const;
export type Programme = (typeof PROGRAMMES)[number];
export const ADVICES = ['regular-work', 'supported-employment', 'activation-guidance', 'work-care', 'not-referable'] as const;
export const EXIT_REASONS = ['doorstroom-regular-work', 'training', 'dismissal', 'resignation', 'retirement', 'health', 'death', 'other'] as const;
export const OUTCOMES = ['employed', 'ibo', 'not-employed'] as const;
export const EDUCATION_LEVELS = ['low', 'medium', 'high'] as const;
export const METHODS = ['including-ibo', 'employment-only'] as const;
export type Method = (typeof METHODS)[number];

export interface Page<T> {
  items: T[];
  next: string | null;
  total?: number;
}

export type Phase = 'registered' | 'screened' | 'in-placement' | 'returned' | 'exited';
export type CommandKind = 'screening' | 'pop' | 'placement' | 'exit' | 'return' | 'follow-up' | 'retraction' | 'note' | 'coach-assignment';
export const NOTE_KINDS = ['contact', 'meeting', 'phone', 'note'] as const;

export interface Note {
  noteId: string;
  date: string;
  kind: (typeof NOTE_KINDS)[number];
  text: string | null;
  by: string;
  recordedAt: string;
}

export interface OrganisationRef {
  organisationId: string;
  name: string;
}

/** An organisation of the directory (`GET /v1/organisations`). */
export interface Organisation extends OrganisationRef {
  enterpriseNumber: string;
  kind: string;
  postalCode: string;
  province: string;
  programmes: Programme[];
}

/** A member of an organisation (`GET /v1/organisations/{id}/members`). */
export interface Member {
  sub: string;
  displayName: string;
  roles: string[];
}

export interface Indication {
  conditional: boolean;
  validUntil: string | null;
  productivityLossPct: number | null;
  supportPackage: { workFloorTraining: boolean; workFloorCoaching: string | null; wagePremiumPct: number | null; workplaceAdaptation: boolean };
}

export interface CaseloadItem {
  workerId: string;
  givenName: string | null;
  familyName: string | null;
  insz: string | null;
  coach: string | null;
  programme: Programme | null;
  status: 'registered' | 'active' | 'exited';
  lastStepDate: string | null;
  nextCheck?: string | null;
  organisation?: OrganisationRef | null;
  version: number;
}

export interface Placement {
  placementId: string;
  programme: Programme;
  enterpriseId: string | null;
  startDate: string;
  fte: number;
  underReturnGuarantee: boolean;
  exit: { date: string; reason: string; followUpReferenceDate: string | null } | null;
  followUp: { outcome: string; source: string; referenceDate: string; revisions: unknown[] } | null;
}

export interface TimelineEntry {
  version: number;
  position: string;
  type: string;
  recordedAt: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Worker {
  workerId: string;
  insz: string | null;
  givenName: string | null;
  familyName: string | null;
  coach: string | null;
  characteristics: {
    birthYear: number | null;
    educationLevel: string;
    migrationBackground: boolean;
    disability: boolean;
    unemployedSince: string | null;
    socialAssistance: boolean;
  };
  registeredOn: string | null;
  deceased: boolean;
  lastStepDate: string | null;
  latestScreening: { date: string; advice: string; programme: Programme | null; indication?: Indication | null; closedByDoorstroom: boolean } | null;
  pop: { establishedOn: string; reviewedOn: string | null; goals: string[] | null } | null;
  activePlacement: string | null;
  placements: Placement[];
  returnGuarantee: { placementId: string; programme: Programme; expiresOn: string; status: string } | null;
  phase: Phase;
  nextSteps: CommandKind[];
  notes: Note[];
  organisation?: OrganisationRef | null;
  version: number;
  timeline: TimelineEntry[];
}

export interface FollowUpItem {
  workerId: string;
  givenName?: string | null;
  familyName?: string | null;
  source?: string | null;
  placementId: string;
  programme: Programme;
  exitDate: string;
  referenceDate: string | null;
  status: string;
  outcome: string | null;
}

export interface GuaranteeItem {
  workerId: string;
  givenName?: string | null;
  familyName?: string | null;
  placementId: string;
  programme: Programme;
  expiresOn: string;
  status: string;
}

export type StatisticsRow = Record<string, number | string | null | string[] | undefined> & {
  programme: string;
  year?: number;
  /** with `by`: the group (organisationId or `unregistered`, province code, profile); `ALL` is the whole table */
  group?: string;
  suppressed?: string[];
};

export const GROUPINGS = ['organisation', 'province', 'profile'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** What an answer with `minCell` withheld (docs/statistics-publishing.md). */
export interface Suppression {
  method: 'optimal' | 'heuristic';
  primary: number;
  complementary: number;
}

export interface StatisticsTable {
  year?: number;
  from?: number;
  to?: number;
  method?: Method;
  minCell?: number;
  by?: Grouping;
  suppression?: Suppression;
  rows: StatisticsRow[];
}

export interface Publication {
  publicationId: string;
  table: 'flows' | 'outflow';
  year?: number;
  from?: number;
  to?: number;
  method?: Method;
  minCell?: number | null;
  by?: Grouping | null;
  organisation?: string | null;
  suppression?: Suppression;
  position: string | null;
  publishedAt: string;
}

export interface PublicationDetail extends Publication {
  rows: StatisticsRow[];
  changes: { year?: number; group?: string; programme: string; field: string; published: number | null; current: number | null }[];
}

export interface AuditItem {
  seq: number;
  at: string;
  actor: string;
  /** the actor's display name in the directory, or null (admins, system components) */
  actorName: string | null;
  action: string;
  workerId: string | null;
  /** the worker's current names; null after erasure */
  givenName: string | null;
  familyName: string | null;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  tip: { seq: number; hash: string };
  anchoredAt: string | null;
  checkedAt: string;
}

export const FLOW_FIELDS = ['stockStart', 'inflow', 'outflow', 'stockEnd', 'growth', 'growthPct', 'rotationPct', 'fteEnd'] as const;
export const OUTFLOW_FIELDS = ['reach', 'exited', 'exitedPct', 'toWork', 'toWorkPctOfExited', 'toWorkPctOfReach', 'pending'] as const;

/** Today as YYYY-MM-DD in the browser's time zone. */
export function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** GET /v1/imports/{id} (docs/import.md). */
export interface ImportProgress {
  importId: string;
  status: 'validating' | 'importing' | 'done' | 'failed';
  dryRun: boolean;
  rows: number;
  rowsDone: number;
  workers: number;
  errors: number;
  position: string | null;
}

/** An item of GET /v1/imports/{id}/errors: the INSZ masked by the service to its first six digits. */
export interface ImportError {
  row: number;
  insz: string | null;
  field: string;
  code: string;
  rule: string | null;
  message: string;
}
