/**
 * The event-store port. Adapters: PostgreSQL and PGlite (one SQL implementation over the
 * `SqlDatabase` port) and KurrentDB. One contract suite (tests/contract) runs against each.
 */

/** Metadata on every stored event. */
export interface EventMetadata {
  /** the user (JWT `sub`) or system component that caused the event */
  actor: string;
  correlationId: string;
  causationId: string | null;
  /** ISO timestamp when the service recorded the event */
  recordedAt: string;
  [key: string]: unknown;
}

/** An event to append: `type` is the stable storage name (e.g. `V1.PlacementStarted`). */
export interface NewEvent {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  streamId: string;
  /** 1-based: the first event of a stream has version 1 */
  streamVersion: number;
  /** global position in the log (opaque string, compare with `comparePositions`) */
  position: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * The stream version the writer expects: the number of events it has seen in the stream.
 * `0` means the stream must not exist yet.
 */
export type ExpectedVersion = number;

export interface AppendResult {
  /** the stream's version after the append */
  version: number;
  /** the global position of the last event appended */
  position: string;
}

export interface StreamRead {
  /** the stream's current version; 0 when it does not exist */
  version: number;
  events: RecordedEvent[];
}

export interface EventStore {
  /** Appends atomically, only if the stream's version equals `expectedVersion`; else throws `WrongExpectedVersionError`. */
  appendToStream(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  readStream(streamId: string): Promise<StreamRead>;
  /**
   * Reads the global log after `after` (null: from the start), in the log's order, at most
   * `limit` events. Never skips an event that becomes visible later: an event whose transaction
   * commits late is read in its place (only events of finished transactions are returned).
   */
  readAll(after: string | null, limit: number): Promise<RecordedEvent[]>;
  /** Position of the last event in the log that `readAll` can return now; null when empty. */
  headPosition(): Promise<string | null>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId}: expected version ${expectedVersion}, actual ${actualVersion}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/**
 * Positions of every adapter are two non-negative integers `"<major>-<minor>"`, ordered
 * lexicographically: PostgreSQL `transaction id - sequence`, KurrentDB `commit - prepare`.
 */
export function comparePositions(a: string, b: string): number {
  const [a1, a2] = parsePosition(a);
  const [b1, b2] = parsePosition(b);
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  if (a2 !== b2) return a2 < b2 ? -1 : 1;
  return 0;
}

export function formatPosition(major: bigint | string | number, minor: bigint | string | number): string {
  return `${BigInt(major)}-${BigInt(minor)}`;
}

export function parsePosition(position: string): [bigint, bigint] {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(position);
  if (!match) throw new InvalidPositionError(position);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

export function isPosition(value: string): boolean {
  return /^(\d{1,20})-(\d{1,20})$/.test(value);
}

export class InvalidPositionError extends Error {
  constructor(readonly position: string) {
    super(`not a position: ${JSON.stringify(position)} (expected "<number>-<number>")`);
    this.name = 'InvalidPositionError';
  }
}
