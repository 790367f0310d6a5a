import {
  BACKWARDS,
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
} from '@kurrent/kurrentdb-client';
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
 * KurrentDB (EventStoreDB) adapter. Stream revisions are 0-based there; our versions are
 * 1-based (version = revision + 1, expected version 0 = no stream). Positions are
 * `<commit>-<prepare>` of the transaction file, in the order of `$all`.
 */
export class KurrentDbEventStore implements EventStore {
  private constructor(private readonly client: KurrentDBClient) {}

  static async connect(connectionString: string): Promise<KurrentDbEventStore> {
    const client = KurrentDBClient.connectionString(connectionString);
    const store = new KurrentDbEventStore(client);
    await store.headPosition();
    return store;
  }

  async appendToStream(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ type: e.type, data: e.data as JSONType, metadata: e.metadata as unknown as JSONType })),
        { streamState: expectedVersion === 0 ? NO_STREAM : BigInt(expectedVersion - 1) },
      );
      if (!result.position) throw new Error('KurrentDB returned no position for the append');
      return {
        version: Number(result.nextExpectedRevision) + 1,
        position: formatPosition(result.position.commit, result.position.prepare),
      };
    } catch (error) {
      if (error instanceof KurrentWrongExpectedVersion) {
        const actual = error.actualState === NO_STREAM ? 0 : Number(error.actualState) + 1;
        throw new WrongExpectedVersionError(streamId, expectedVersion, actual);
      }
      throw error;
    }
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START })) {
        const recorded = toRecorded(resolved as AllStreamResolvedEvent);
        if (recorded) events.push(recorded);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { version: 0, events: [] };
      throw error;
    }
    return { version: events.at(-1)?.streamVersion ?? 0, events };
  }

  async readAll(after: string | null, limit: number): Promise<RecordedEvent[]> {
    const fromPosition = after ? toKurrentPosition(after) : START;
    const events: RecordedEvent[] = [];
    // $all reads include the event at `fromPosition`: ask for one more and drop it.
    for await (const resolved of this.client.readAll({
      fromPosition,
      direction: FORWARDS,
      maxCount: limit + 1,
      filter: excludeSystemEvents(),
    })) {
      const recorded = toRecorded(resolved);
      if (!recorded) continue;
      if (after && comparePositions(recorded.position, after) <= 0) continue;
      events.push(recorded);
      if (events.length === limit) break;
    }
    return events;
  }

  async headPosition(): Promise<string | null> {
    for await (const resolved of this.client.readAll({ fromPosition: 'end', direction: BACKWARDS, maxCount: 50, filter: excludeSystemEvents() })) {
      const recorded = toRecorded(resolved);
      if (recorded) return recorded.position;
    }
    return null;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

function toKurrentPosition(position: string): { commit: bigint; prepare: bigint } {
  const [commit, prepare] = parsePosition(position);
  return { commit, prepare };
}

function toRecorded(resolved: AllStreamResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || event.streamId.startsWith('$') || !event.isJson) return null;
  return {
    streamId: event.streamId,
    streamVersion: Number(event.revision) + 1,
    position: event.position ? formatPosition(event.position.commit, event.position.prepare) : '0-0',
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
  };
}
