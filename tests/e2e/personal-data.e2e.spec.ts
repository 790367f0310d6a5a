import { randomBytes } from 'node:crypto';
import { workerStreamId } from '#domain/events.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { freshInsz, registration, aRegisteredWorker } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

describe.each(['pglite', 'postgres'] as const)('personal data: the INSZ under a key of its own (%s)', (store) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ store, mode: 'api' });
  });
  afterAll(async () => {
    await service.close();
  });

  const getWorker = (workerId: string) => service.request('GET', `/v1/workers/${workerId}`, { roles: ['coach'] });
  /** Keys the worker has (an erased worker keeps its row, without a key). */
  const keysOf = async (workerId: string) =>
    (await service.database.db.query<{ n: number }>('SELECT count(key)::int AS n FROM worker_keys WHERE worker_id = $1', [workerId])).rows[0].n;
  const erase = async (workerId: string) => {
    const res = await service.request('DELETE', `/v1/workers/${workerId}/personal-data`, { roles: ['admin'] });
    expect(res.status).toBe(204);
  };

  test('a coach reads the INSZ; after erasure it reads as absent', async () => {
    const insz = freshInsz();
    const workerId = await aRegisteredWorker(service, insz);
    expect((await getWorker(workerId)).body.insz).toBe(insz);
    await erase(workerId);
    expect(await keysOf(workerId)).toBe(0);
    const erased = await getWorker(workerId);
    expect(erased.status).toBe(200);
    expect(erased.body.insz).toBeNull();
  });

  test('a copy of the database opens nothing: no stored key, nor any 32 bytes of one, opens any sealed value of any event', async () => {
    const insz = freshInsz();
    const workerId = await aRegisteredWorker(service, insz);
    const named = await service.request('POST', '/v1/workers', {
      roles: ['screener'],
      body: { ...registration(freshInsz()), givenName: 'Mia', familyName: 'Peeters' },
    });
    expect(named.status).toBe(201);
    expect((await getWorker(workerId)).body.insz).toBe(insz);

    // Everything sealed anywhere in the log (INSZ, names, and whatever other personal text is sealed the same way).
    const { rows: events } = await service.database.db.query<{ data: unknown }>('SELECT data FROM events');
    const sealed = events
      .flatMap(({ data }) => JSON.stringify(data).match(/"v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"/g) ?? [])
      .map((v) => JSON.parse(v) as string);
    expect(sealed.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(events)).not.toMatch(new RegExp(`${insz}|Mia|Peeters`));
    const { rows: keys } = await service.database.db.query<{ key: Uint8Array }>('SELECT key FROM worker_keys WHERE key IS NOT NULL');
    const candidates = keys.flatMap(({ key }) => Array.from({ length: key.length - 31 }, (_, at) => Buffer.from(key).subarray(at, at + 32)));
    const personalData = service.app.get(PersonalData);
    for (const value of sealed) for (const key of candidates) expect(personalData.open(key, value)).toBeNull();
  });

  test.each([
    ['another key', () => randomBytes(32)],
    ['a key of the wrong length', () => randomBytes(16)],
  ])('under %s the INSZ reads as absent, not as a failure', async (_, key) => {
    const workerId = await aRegisteredWorker(service);
    await service.database.db.query('UPDATE worker_keys SET key = $1 WHERE worker_id = $2', [key(), workerId]);
    const worker = await getWorker(workerId);
    expect(worker.status).toBe(200);
    expect(worker.body.insz).toBeNull();
  });

  test('a ciphertext that does not authenticate reads as absent, not as a failure', async () => {
    const workerId = await aRegisteredWorker(service);
    const stream = workerStreamId(workerId);
    const { rows } = await service.database.db.query<{ sealed: string }>(
      "SELECT data->>'inszCiphertext' AS sealed FROM events WHERE stream_id = $1 AND stream_version = 1",
      [stream],
    );
    const [version, iv, , ciphertext] = rows[0].sealed.split('.');
    const forged = [version, iv, randomBytes(16).toString('base64url'), ciphertext].join('.');
    await service.database.db.query(
      "UPDATE events SET data = jsonb_set(data, '{inszCiphertext}', to_jsonb($1::text)) WHERE stream_id = $2 AND stream_version = 1",
      [forged, stream],
    );
    const worker = await getWorker(workerId);
    expect(worker.status).toBe(200);
    expect(worker.body.insz).toBeNull();
  });

  test('an erased INSZ registers again as a new worker; the erased one keeps no key', async () => {
    const insz = freshInsz();
    const workerId = await aRegisteredWorker(service, insz);
    await erase(workerId);
    const again = await service.request('POST', '/v1/workers', { roles: ['screener'], body: registration(insz) });
    expect(again.status).toBe(201);
    expect(again.body.workerId).not.toBe(workerId);
    expect(await keysOf(workerId)).toBe(0);
    const worker = await getWorker(workerId);
    expect([worker.status, worker.body.insz, worker.body.version]).toEqual([200, null, 1]);
  });
});
