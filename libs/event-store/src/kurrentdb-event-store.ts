import {
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as KurrentWrongExpectedVersion,
  type AllStreamResolvedEvent,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { assertAppendArguments, assertReadLimit } from './arguments.js';
import {
  comparePositions,
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

/**
 * KurrentDB adapter (client 1.x: `streamState` on append, reads through its Rust bridge).
 * Stream revisions are 0-based there, our versions 1-based: version = revision + 1, expected
 * version 0 = `NO_STREAM`, expected n = revision n - 1. Positions are `<commit>-<prepare>` of the
 * transaction log, the order of `$all`; an append is one atomic, contiguous write there.
 * Only our own events are part of the log: system streams and types (`$...`) and non-JSON events are left out.
 */
export class KurrentDbEventStore implements EventStore {
  private constructor(private readonly client: KurrentDBClient) {}

  static async connect(connectionString: string): Promise<KurrentDbEventStore> {
    const client = KurrentDBClient.connectionString(connectionString);
    const store = new KurrentDbEventStore(client);
    try {
      await store.headPosition(); // fail fast when the server cannot be reached
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  async appendToStream(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    assertAppendArguments(streamId, events, expectedVersion);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ type: e.type, data: (e.data ?? null) as JSONType, metadata: e.metadata as unknown as JSONType })),
        { streamState: expectedVersion === 0 ? NO_STREAM : BigInt(expectedVersion - 1) },
      );
      if (!result.position) throw new Error(`KurrentDB returned no position for the append to ${streamId}`);
      return { version: Number(result.nextExpectedRevision) + 1, position: toPosition(result.position) };
    } catch (error) {
      if (error instanceof KurrentWrongExpectedVersion) {
        const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) + 1 : 0;
        throw new WrongExpectedVersionError(streamId, expectedVersion, actual);
      }
      throw error;
    }
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START })) {
        const recorded = toRecorded(resolved);
        if (recorded) events.push(recorded);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { version: 0, events: [] };
      throw error;
    }
    return { version: events.at(-1)?.streamVersion ?? 0, events };
  }

  /**
   * A read of `$all` from a position may include the event at that position, and events we
   * leave out may still count towards `maxCount`, so it reads in rounds until `limit` events of
   * ours are collected or the log ends: a page is never empty while events of ours follow.
   */
  async readAll(after: string | null, limit: number): Promise<RecordedEvent[]> {
    assertReadLimit(limit);
    const events: RecordedEvent[] = [];
    let boundary = after;
    for (;;) {
      const batch = limit - events.length + 1;
      const start = boundary;
      let received = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: start === null ? START : fromPosition(start),
        direction: FORWARDS,
        maxCount: batch,
        filter: excludeSystemEvents(),
      })) {
        received += 1;
        const position = resolved.event?.position;
        if (!position) continue;
        const current = toPosition(position);
        if (boundary !== null && comparePositions(current, boundary) <= 0) continue;
        boundary = current;
        const recorded = toRecorded(resolved);
        if (recorded) events.push(recorded);
        if (events.length === limit) return events;
      }
      if (received < batch || boundary === start) return events;
    }
  }

  /** Reads backwards from the end, in rounds, to the last event of ours. */
  async headPosition(): Promise<string | null> {
    const batch = 100;
    let boundary: string | null = null;
    for (;;) {
      const start: string | null = boundary;
      let received = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: start === null ? END : fromPosition(start),
        direction: BACKWARDS,
        maxCount: batch,
        filter: excludeSystemEvents(),
      })) {
        received += 1;
        const position = resolved.event?.position;
        if (!position) continue;
        const current = toPosition(position);
        if (boundary !== null && comparePositions(current, boundary) >= 0) continue;
        boundary = current;
        if (toRecorded(resolved)) return current;
      }
      if (received < batch || boundary === start) return null;
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
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
