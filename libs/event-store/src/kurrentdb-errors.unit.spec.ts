import { DeadlineExceededError, MaxAppendSizeExceededError, WrongExpectedVersionError as KurrentWrongExpectedVersion } from '@kurrent/kurrentdb-client';
import { eventId, uuidV5 } from './event-ids.js';
import { AppendTooLargeError, EventStoreDeadlineError, WrongExpectedVersionError, type NewEvent } from './event-store.js';
import { KurrentDbEventStore, mapAppendError } from './kurrentdb-event-store.js';

const event = (correlationId: string, data: unknown = { n: 1 }): NewEvent => ({
  type: 'V1.A',
  data,
  metadata: { actor: 'a', correlationId, causationId: null, recordedAt: '2026-11-29T00:00:00.000Z' },
});

describe('event ids (UUIDv5)', () => {
  test('match the RFC test vector', () => {
    // RFC 9562 appendix A.4: "www.example.com" in the DNS namespace
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('a repeat of the same append gets the same ids', () => {
    const e = event('c1');
    expect(eventId('worker-1', 3, e)).toBe(eventId('worker-1', 3, structuredClone(e)));
    expect(eventId('worker-1', 3, e)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('another stream, version or event (a competing command) gets another id', () => {
    const base = eventId('worker-1', 3, event('c1'));
    expect(eventId('worker-2', 3, event('c1'))).not.toBe(base);
    expect(eventId('worker-1', 4, event('c1'))).not.toBe(base);
    expect(eventId('worker-1', 3, event('c2'))).not.toBe(base);
    expect(eventId('worker-1', 3, event('c1', { n: 2 }))).not.toBe(base);
    // no ambiguity between stream and version
    expect(eventId('worker-1', 13, event('c1'))).not.toBe(eventId('worker-11', 3, event('c1')));
  });
});

describe("KurrentDB append errors as the port's errors", () => {
  test('the maximum append size is a clear AppendTooLargeError', () => {
    const mapped = mapAppendError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), 'worker-1', 3, 0, 1000);
    expect(mapped).toBeInstanceOf(AppendTooLargeError);
    expect(mapped).toMatchObject({ streamId: 'worker-1', eventCount: 3, maxBytes: 1_048_576 });
    expect((mapped as Error).message).toBe('append of 3 event(s) to stream worker-1 refused: larger than the event store accepts (at most 1048576 bytes)');
  });

  test('a wrong expected version names the actual version (1-based)', () => {
    const error = new KurrentWrongExpectedVersion(undefined, { streamName: 'worker-1', expected: 4n, current: 1n });
    expect(mapAppendError(error, 'worker-1', 1, 5, 1000)).toEqual(new WrongExpectedVersionError('worker-1', 5, 2));
    const missing = new KurrentWrongExpectedVersion(undefined, { streamName: 'worker-1', expected: 0n, current: 'no_stream' });
    expect(mapAppendError(missing, 'worker-1', 1, 1, 1000)).toMatchObject({ actualVersion: 0 });
  });

  test("the client's deadline is the port's deadline error; anything else passes through", () => {
    expect(mapAppendError(new DeadlineExceededError(), 'worker-1', 1, 0, 250)).toEqual(new EventStoreDeadlineError('append to worker-1', 250));
    const other = new Error('boom');
    expect(mapAppendError(other, 'worker-1', 1, 0, 250)).toBe(other);
  });
});

describe('KurrentDB adapter options', () => {
  const url = 'kurrentdb://127.0.0.1:1?tls=false';
  test.each([
    [{ streamPrefix: '' }, /invalid KurrentDB stream prefix/],
    [{ streamPrefix: '$ce-' }, /invalid KurrentDB stream prefix/],
    [{ streamPrefix: 'event-' }, /would include the identity stream event-store-identity/],
    [{ deadlineMs: 0 }, /invalid event-store deadline/],
  ])('%j is refused before any connection', (options, message) => {
    expect(() => KurrentDbEventStore.open(url, options)).toThrow(message);
  });

  test("the default prefix is the service's stream naming", async () => {
    const store = KurrentDbEventStore.open(url);
    expect(store.streamPrefix).toBe('worker-');
    await store.close();
  });
});
