import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppendTooLargeError, EventStoreDeadlineError } from '#event-store/event-store.js';
import { SuppressionBusy, SuppressionTooLarge } from '#read-models/statistics-publishing/suppression-pool.js';
import { answerWithProblem } from './problem.filter.js';

/** What answerWithProblem sends, captured from a reply that only records. */
function answer(error: unknown): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const sent = { status: 0, headers: {} as Record<string, string>, body: {} as Record<string, unknown> };
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    headers(values: Record<string, string>) {
      Object.assign(sent.headers, values);
      return this;
    },
    send(payload: string) {
      sent.body = JSON.parse(payload) as Record<string, unknown>;
      return this;
    },
  };
  answerWithProblem(error, { headers: {} } as FastifyRequest, reply as unknown as FastifyReply);
  return sent;
}

describe('event-store failures as problems', () => {
  it('a missed deadline is a 503 the client may retry, not a 500', () => {
    const sent = answer(new EventStoreDeadlineError('append to worker-1', 100));
    expect(sent).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
      body: { type: '/problems/event-store-unavailable', status: 503 },
    });
  });

  it('an append the store refuses as too large is a 413', () => {
    expect(answer(new AppendTooLargeError('worker-1', 3, 1_048_576))).toMatchObject({ status: 413, body: { status: 413 } });
  });
});

describe('protecting small cells, as problems', () => {
  it('too many tables at once is a 503 with Retry-After, for a query and a publication alike', () => {
    expect(answer(new SuppressionBusy())).toMatchObject({
      status: 503,
      headers: { 'retry-after': '2' },
      body: { type: '/problems/statistics-busy', status: 503 },
    });
  });

  it('a table too large to protect is a 422 that says what to ask instead, not a 500', () => {
    const sent = answer(new SuppressionTooLarge());
    expect(sent).toMatchObject({ status: 422, body: { type: '/problems/statistics-too-large', status: 422 } });
    expect(sent.body.detail).toMatch(/fewer years.*by province/);
    expect(sent.headers['retry-after']).toBeUndefined();
  });
});
