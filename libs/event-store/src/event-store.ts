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
  /**
   * Position of the last event appended, whether or not readers may read it yet (the SQL store
   * holds back events behind a transaction still open anywhere on the server); absent where the
   * two are the same. How far projections are behind includes what they are held back from.
   */
  lastAppendedPosition?(): Promise<string | null>;
  /**
   * The identity of the log `readAll` reads: the same for every process and every restart on the
   * same data, different for another database or cluster (or another stream filter). Projection
   * checkpoints are kept beside it, because a position means nothing in another log.
   */
  identity(): Promise<string>;
  close(): Promise<void>;
}

/** The deadline of each call to the event store, unless configured (`EVENT_STORE_DEADLINE_MS`). */
export const DEFAULT_EVENT_STORE_DEADLINE_MS = 10_000;

/**
 * A call to the event store got no answer within its deadline. The caller has control back; what
 * happened on the server is unknown (an append may still have been written). Retry: a read as is;
 * an append on a fresh read of the stream, or as is on KurrentDB, where the same events carry the
 * same ids and a repeat of a written append is recognised.
 */
export class EventStoreDeadlineError extends Error {
  constructor(
    readonly operation: string,
    readonly deadlineMs: number,
  ) {
    super(`event store: ${operation} got no answer within its deadline of ${deadlineMs} ms; the outcome is unknown, retry`);
    this.name = 'EventStoreDeadlineError';
  }
}

/** The event store refused an append as too large (KurrentDB's maximum append or record size). */
export class AppendTooLargeError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventCount: number,
    /** the server's limit in bytes, when it says */
    readonly maxBytes: number | null,
  ) {
    super(
      `append of ${eventCount} event(s) to stream ${streamId} refused: larger than the event store accepts` +
        (maxBytes === null ? '' : ` (at most ${maxBytes} bytes)`),
    );
    this.name = 'AppendTooLargeError';
  }
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
  return [BigInt(match[1]), BigInt(match[2])];
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
