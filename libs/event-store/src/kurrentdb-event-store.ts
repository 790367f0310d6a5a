import { randomUUID } from 'node:crypto';
import {
  AppendRecordSizeExceededError,
  BACKWARDS,
  DeadlineExceededError,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  streamNameFilter,
  StreamNotFoundError,
  TransactionMaxSizeExceededError,
  WrongExpectedVersionError as KurrentWrongExpectedVersion,
  type AllStreamResolvedEvent,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';
import { assertAppendArguments, assertReadLimit } from './arguments.js';
import { assertDeadline, withDeadline } from './deadline.js';
import { eventId } from './event-ids.js';
import {
  AppendTooLargeError,
  comparePositions,
  DEFAULT_EVENT_STORE_DEADLINE_MS,
  EventStoreDeadlineError,
  formatPosition,
  parsePosition,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamRead,
} from './event-store.js';

export interface KurrentDbOptions {
  /**
   * Only streams whose names start with this are part of the log `readAll` and `headPosition` see
   * (a server-side filter on `$all`). Default: this service's stream naming, `worker-`.
   */
  streamPrefix?: string;
  /** deadline of every call to the server, in ms (default 10 s) */
  deadlineMs?: number;
}

/**
 * The stream holding the store's identity: one event with a random id, written by the first
 * adapter that finds the stream missing. It is an ordinary stream (a `$`-stream would need admin
 * rights), outside the stream prefix, so never in our log.
 */
export const IDENTITY_STREAM = 'event-store-identity';
const IDENTITY_EVENT_TYPE = 'EventStoreIdentified';

/**
 * KurrentDB adapter (client 1.x: `streamState` on append, reads through its Rust bridge).
 * Stream revisions are 0-based there, our versions 1-based: version = revision + 1, expected
 * version 0 = `NO_STREAM`, expected n = revision n - 1. Positions are `<commit>-<prepare>` of the
 * transaction log, the order of `$all`; an append is one atomic, contiguous write there.
 *
 * The log is `$all` filtered on the server to streams starting with `streamPrefix`: another
 * application's streams on the same database are never read. System streams and types (`$...`)
 * and non-JSON events are left out as well.
 *
 * Every call has a deadline. Appends pass it to the client (a gRPC deadline, so the call is
 * cancelled); the client's reads (Rust bridge, 1.3) take no deadline, so each call is also raced
 * against a timer: the caller always gets control back, with `EventStoreDeadlineError`.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly prefix: string;
  private readonly deadlineMs: number;
  private storeId: Promise<string> | null = null;

  private constructor(
    private readonly client: KurrentDBClient,
    options: KurrentDbOptions,
  ) {
    [this.prefix, this.deadlineMs] = KurrentDbEventStore.checkOptions(options);
  }

  private static checkOptions(options: KurrentDbOptions): [prefix: string, deadlineMs: number] {
    const prefix = options.streamPrefix ?? WORKER_STREAM_PREFIX;
    const deadlineMs = options.deadlineMs ?? DEFAULT_EVENT_STORE_DEADLINE_MS;
    if (prefix.length === 0 || prefix.startsWith('$')) {
      throw new RangeError(`invalid KurrentDB stream prefix ${JSON.stringify(prefix)}: non-empty, not starting with $`);
    }
    if (IDENTITY_STREAM.startsWith(prefix)) {
      throw new RangeError(`KurrentDB stream prefix ${JSON.stringify(prefix)} would include the identity stream ${IDENTITY_STREAM}`);
    }
    assertDeadline(deadlineMs);
    return [prefix, deadlineMs];
  }

  /** Opens the client and checks the server answers (its identity, created if missing), within the deadline. */
  static async connect(connectionString: string, options: KurrentDbOptions = {}): Promise<KurrentDbEventStore> {
    const store = KurrentDbEventStore.open(connectionString, options);
    try {
      await store.identity(); // fail fast when the server cannot be reached
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Opens the client without calling the server (the first call will). */
  static open(connectionString: string, options: KurrentDbOptions = {}): KurrentDbEventStore {
    KurrentDbEventStore.checkOptions(options); // before a client exists that would need disposing
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), options);
  }

  get streamPrefix(): string {
    return this.prefix;
  }

  async appendToStream(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    assertAppendArguments(streamId, events, expectedVersion);
    try {
      const result = await withDeadline(`append to ${streamId}`, this.deadlineMs, () =>
        this.client.appendToStream(
          streamId,
          events.map((e, i) =>
            jsonEvent({
              id: eventId(streamId, expectedVersion + i + 1, e),
              type: e.type,
              data: (e.data ?? null) as JSONType,
              metadata: e.metadata,
            }),
          ),
          { streamState: expectedVersion === 0 ? NO_STREAM : BigInt(expectedVersion - 1), deadline: this.deadlineMs },
        ),
      );
      const version = Number(result.nextExpectedRevision) + 1;
      // An append the server recognised as a repeat (same event ids) may come back without a position.
      const position = result.position ? toPosition(result.position) : await this.positionOfVersion(streamId, version);
      return { version, position };
    } catch (error) {
      throw mapAppendError(error, streamId, events.length, expectedVersion, this.deadlineMs);
    }
  }

  async readStream(streamId: string): Promise<StreamRead> {
    return withDeadline(`read of stream ${streamId}`, this.deadlineMs, async () => {
      const events: RecordedEvent[] = [];
      try {
        for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START, deadline: this.deadlineMs })) {
          const recorded = toRecorded(resolved);
          if (recorded) events.push(recorded);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return { version: 0, events: [] };
        throw mapReadError(error, `read of stream ${streamId}`, this.deadlineMs);
      }
      return { version: events.at(-1)?.streamVersion ?? 0, events };
    });
  }

  private async positionOfVersion(streamId: string, version: number): Promise<string> {
    return withDeadline(`read of stream ${streamId}`, this.deadlineMs, async () => {
      for await (const resolved of this.client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: BigInt(version - 1),
        maxCount: 1,
        deadline: this.deadlineMs,
      })) {
        if (resolved.event?.position) return toPosition(resolved.event.position);
      }
      throw new Error(`KurrentDB returned no position for the append to ${streamId} (version ${version})`);
    });
  }

  /**
   * A read of `$all` from a position may include the event at that position, and events we
   * leave out may still count towards `maxCount`, so it reads in rounds until `limit` events of
   * ours are collected or the log ends: a page is never empty while events of ours follow.
   */
  async readAll(after: string | null, limit: number): Promise<RecordedEvent[]> {
    assertReadLimit(limit);
    if (after !== null) parsePosition(after);
    return withDeadline('read of the log', this.deadlineMs, async () => {
      const events: RecordedEvent[] = [];
      for await (const { resolved } of this.walk(FORWARDS, after, () => limit - events.length + 1, 'read of the log')) {
        const recorded = this.ours(resolved);
        if (recorded) events.push(recorded);
        if (events.length === limit) break;
      }
      return events;
    });
  }

  /** Reads backwards from the end, in rounds, to the last event of ours. */
  async headPosition(): Promise<string | null> {
    return withDeadline('read of the log head', this.deadlineMs, async () => {
      for await (const { position, resolved } of this.walk(BACKWARDS, null, () => 100, 'read of the log head')) {
        if (this.ours(resolved)) return position;
      }
      return null;
    });
  }

  /**
   * `$all` through our prefix's filter, in one direction from `from` (null: from the start, or
   * backwards from the end), in rounds of `batch()` events: each event once, never the one at
   * `from`, ending when a round comes back short or moves no further.
   */
  private async *walk(
    direction: typeof FORWARDS | typeof BACKWARDS,
    from: string | null,
    batch: () => number,
    operation: string,
  ): AsyncGenerator<{ position: string; resolved: AllStreamResolvedEvent }> {
    const beyond = (current: string, boundary: string) =>
      direction === FORWARDS ? comparePositions(current, boundary) > 0 : comparePositions(current, boundary) < 0;
    let boundary = from;
    for (;;) {
      const start = boundary;
      const maxCount = batch();
      let received = 0;
      try {
        for await (const resolved of this.client.readAll({
          fromPosition: start === null ? (direction === FORWARDS ? START : END) : fromPosition(start),
          direction,
          maxCount,
          filter: streamNameFilter({ prefixes: [this.prefix] }),
          deadline: this.deadlineMs,
        })) {
          received += 1;
          const position = resolved.event?.position;
          if (!position) continue;
          const current = toPosition(position);
          if (boundary !== null && !beyond(current, boundary)) continue;
          boundary = current;
          yield { position: current, resolved };
        }
      } catch (error) {
        throw mapReadError(error, operation, this.deadlineMs);
      }
      if (received < maxCount || boundary === start) return;
    }
  }

  /**
   * `kurrentdb:<id>:prefix=<streamPrefix>`: the id is kept in IDENTITY_STREAM of the database (so
   * it is the same on every node of a cluster, and in a restored backup of it), and the prefix is
   * part of it because another prefix is another log. Read once, then kept.
   */
  identity(): Promise<string> {
    this.storeId ??= this.readOrCreateIdentity().then(
      (id) => `kurrentdb:${id}:prefix=${this.prefix}`,
      (error: unknown) => {
        this.storeId = null; // asked again next time
        throw error;
      },
    );
    return this.storeId;
  }

  private async readOrCreateIdentity(): Promise<string> {
    const existing = await this.readIdentity();
    if (existing) return existing;
    try {
      await withDeadline('creation of the store identity', this.deadlineMs, () =>
        this.client.appendToStream(IDENTITY_STREAM, jsonEvent({ type: IDENTITY_EVENT_TYPE, data: { id: randomUUID(), createdAt: new Date().toISOString() } }), {
          streamState: NO_STREAM,
          deadline: this.deadlineMs,
        }),
      );
    } catch (error) {
      // Another process created it first: theirs is the identity.
      if (!(error instanceof KurrentWrongExpectedVersion)) throw mapReadError(error, 'creation of the store identity', this.deadlineMs);
    }
    const created = await this.readIdentity();
    if (!created) throw new Error(`KurrentDB: stream ${IDENTITY_STREAM} holds no identity after it was written`);
    return created;
  }

  private readIdentity(): Promise<string | null> {
    return withDeadline('read of the store identity', this.deadlineMs, async () => {
      try {
        for await (const resolved of this.client.readStream(IDENTITY_STREAM, {
          direction: FORWARDS,
          fromRevision: START,
          maxCount: 1,
          deadline: this.deadlineMs,
        })) {
          const id = (resolved.event?.data as { id?: unknown } | undefined)?.id;
          if (resolved.event?.type !== IDENTITY_EVENT_TYPE || typeof id !== 'string' || id.length === 0) {
            throw new Error(`KurrentDB: stream ${IDENTITY_STREAM} does not start with an ${IDENTITY_EVENT_TYPE} event holding an id`);
          }
          return id;
        }
        return null;
      } catch (error) {
        if (error instanceof StreamNotFoundError) return null;
        throw mapReadError(error, 'read of the store identity', this.deadlineMs);
      }
    });
  }

  /** Disposes the client; a stalled server does not hold this up past the deadline. */
  async close(): Promise<void> {
    await withDeadline('close', this.deadlineMs, () => this.client.dispose()).catch(() => undefined);
  }

  private ours(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
    const recorded = toRecorded(resolved);
    // The server filters already; this keeps the log right should a filter ever be ignored.
    return recorded && recorded.streamId.startsWith(this.prefix) ? recorded : null;
  }
}

/** The port's error for what the server answered an append (exported for its unit test). */
export function mapAppendError(error: unknown, streamId: string, eventCount: number, expectedVersion: number, deadlineMs: number): unknown {
  if (error instanceof KurrentWrongExpectedVersion) {
    const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) + 1 : 0;
    return new WrongExpectedVersionError(streamId, expectedVersion, actual);
  }
  if (error instanceof MaxAppendSizeExceededError) return new AppendTooLargeError(streamId, eventCount, error.maxAppendSize ?? null);
  if (error instanceof AppendRecordSizeExceededError) return new AppendTooLargeError(streamId, eventCount, error.maxSize ?? null);
  if (error instanceof TransactionMaxSizeExceededError) return new AppendTooLargeError(streamId, eventCount, error.maxSize ?? null);
  return mapReadError(error, `append to ${streamId}`, deadlineMs);
}

function mapReadError(error: unknown, operation: string, deadlineMs: number): unknown {
  if (error instanceof DeadlineExceededError) return new EventStoreDeadlineError(operation, deadlineMs);
  return error;
}

function toPosition(position: Position): string {
  return formatPosition(position.commit, position.prepare);
}

function fromPosition(position: string): Position {
  const [commit, prepare] = parsePosition(position);
  return { commit, prepare };
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$') || event.streamId.startsWith('$')) return null;
  return {
    streamId: event.streamId,
    streamVersion: Number(event.revision) + 1,
    // Reads of $all always carry positions; a stream read without one must still count the event.
    position: event.position ? toPosition(event.position) : '0-0',
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
  };
}
