import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { signToken, type Role } from '../../apps/api/src/http/auth.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';

/**
 * What one request answered. The headers go first and the body a moment later, in chunks, as a
 * client that sends `Expect: 100-continue` does, and no more of it once the answer came: a service
 * that refuses a body before reading it answers early (and closes the connection, which would
 * lose an answer still unread behind a body being written). A connection that closes without an
 * answer (the process died) is status 0.
 */
function send(url: string, method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const bytes = Buffer.from(body);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers } },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body: text });
          req.destroy();
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.on('close', () => setImmediate(() => resolve({ status: 0, body: '' })));
    const writeFrom = (offset: number): void => {
      for (let at = offset; at < bytes.length; at += 64 * 1024) {
        if (answered || req.destroyed) return;
        if (!req.write(bytes.subarray(at, at + 64 * 1024))) {
          req.once('drain', () => writeFrom(at + 64 * 1024));
          return;
        }
      }
      req.end();
    };
    req.flushHeaders();
    setTimeout(() => writeFrom(0), 1_000);
  });
}

/**
 * Runs `attack` (several hostile requests at once) while another process asks /health again and
 * again (tests/support/health-watch.mjs); returns the attack's answers and the slowest /health answer.
 */
async function whileHealthIsAsked<T>(url: string, attack: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number }> {
  const watch = spawn(process.execPath, ['tests/support/health-watch.mjs', url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  watch.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => watch.once('exit', resolve));
  await new Promise<void>((resolve) => watch.stdout.once('data', () => resolve()));
  try {
    const result = await attack();
    return { result, slowestHealthMs: await finish() };
  } catch (error) {
    await finish();
    throw error;
  }
  async function finish(): Promise<number> {
    watch.stdin.end();
    const code = await exited;
    const lines = out.trim().split('\n');
    if (code !== 0) throw new Error(`/health failed during the attack: ${out}`);
    return Number(lines.at(-1));
  }
}

const ATTACKERS = 4;
const many = <T>(make: () => Promise<T>) => Promise.all(Array.from({ length: ATTACKERS }, make));

/**
 * api.md third round, "Bounded work per request": no request, with or without a token, stops the
 * process or holds /health for more than a second. Against the built process, with the heap cap
 * `npm start` gives it (192 MB), where a 2 MB array of zeros used to end it.
 */
describe('one request cannot stop the process', () => {
  let service: BuiltService;
  const bearer = (roles: Role[]) => ({ authorization: `Bearer ${signToken(service.secret, { sub: 'coach-bounded', roles })}` });
  /** a JSON array of 1,000,000 zeros: 2 MB */
  const zeros = `[${new Array(1_000_000).fill('0').join(',')}]`;
  /** an object of 200,000 keys none of which a DTO declares: 2.6 MB */
  const keys = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
  const pops = '/v1/workers/00000000-0000-4000-8000-000000000000/pops';

  beforeAll(async () => {
    service = await startBuiltService({ NODE_OPTIONS: '--max-old-space-size=192' });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
  });

  afterEach(async () => {
    expect(service.log()).not.toMatch(/heap out of memory|FATAL ERROR/);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  test.each([
    ['without a token', {}],
    ['with a token', { coach: true }],
  ])(
    'a 2 MB array to a path no route serves, %s: 404, the body unread',
    async (_, withToken) => {
      const headers = 'coach' in withToken ? bearer(['coach']) : {};
      const { result, slowestHealthMs } = await whileHealthIsAsked(service.url, () => many(() => send(service.url, 'POST', '/nonexistent', zeros, headers)));
      expect(result.map((r) => r.status)).toEqual(Array(ATTACKERS).fill(404));
      expect(JSON.parse(result[0].body)).toMatchObject({ status: 404 });
      expect(slowestHealthMs).toBeLessThan(1_000);
    },
    60_000,
  );

  test('a 2 MB array to a path that serves other methods: 405 with Allow, the body unread', async () => {
    const res = await send(service.url, 'PUT', '/v1/workers', zeros, bearer(['coach']));
    expect(res.status).toBe(405);
  });

  test.each([
    ['the array of zeros', () => zeros],
    ['200,000 undeclared keys', () => keys],
  ])(
    '%s to a command: 401 without a token, 403 without the role, 413 with it',
    async (_, body) => {
      const { result, slowestHealthMs } = await whileHealthIsAsked(service.url, () =>
        Promise.all([
          ...Array.from({ length: 2 }, () => send(service.url, 'POST', pops, body())),
          ...Array.from({ length: 2 }, () => send(service.url, 'POST', pops, body(), bearer(['analyst']))),
          // With the role, a worker route decides the worker's scope first (an unknown worker is 404,
          // unread): the registration command, which names no worker, meets the body limit.
          ...Array.from({ length: 2 }, () => send(service.url, 'POST', '/v1/workers', body(), bearer(['coach']))),
        ]),
      );
      expect(result.map((r) => r.status)).toEqual([401, 401, 403, 403, 413, 413]);
      expect(JSON.parse(result[4].body)).toMatchObject({ status: 413, type: expect.stringContaining('payload-too-large') });
      expect(slowestHealthMs).toBeLessThan(1_000);
    },
    60_000,
  );

  test.each([
    ['the array of zeros', () => zeros, '', 'more than 10000 items'],
    ['200,000 undeclared keys in a row', () => `[${keys}]`, '[0]', 'more than 100 properties'],
  ])(
    '%s to the employment-declaration import (8 MiB allowed): 400 at once',
    async (_, body, field, message) => {
      const { result, slowestHealthMs } = await whileHealthIsAsked(service.url, () =>
        many(() => send(service.url, 'POST', '/v1/employment-declarations', body(), bearer(['admin']))),
      );
      expect(result.map((r) => r.status)).toEqual(Array(ATTACKERS).fill(400));
      expect(JSON.parse(result[0].body).errors).toEqual([{ field, code: 'too-many', message: expect.stringContaining(message) }]);
      expect(slowestHealthMs).toBeLessThan(1_000);
    },
    60_000,
  );

  test('as many keys as a body may hold, each row in an order never seen before: 400, /health still within 1 s', async () => {
    const names = Array.from({ length: 64 }, (_, i) => `field${i}`);
    const row = () => {
      const picked = [...names];
      for (let i = 0; i < 9; i++) {
        const j = i + Math.floor(Math.random() * (picked.length - i));
        [picked[i], picked[j]] = [picked[j], picked[i]];
      }
      return `{${picked
        .slice(0, 9)
        .map((name) => `"${name}":0`)
        .join(',')}}`;
    };
    const bodies = Array.from({ length: ATTACKERS }, () => `[${Array.from({ length: 10_000 }, row).join(',')}]`);
    const { result, slowestHealthMs } = await whileHealthIsAsked(service.url, () =>
      Promise.all(bodies.map((body) => send(service.url, 'POST', '/v1/employment-declarations', body, bearer(['admin'])))),
    );
    expect(result.map((r) => r.status)).toEqual(Array(ATTACKERS).fill(400));
    expect(slowestHealthMs).toBeLessThan(1_000);
  }, 60_000);

  test('a body over 8 MiB to the import: 413', async () => {
    const res = await send(service.url, 'POST', '/v1/employment-declarations', `[${'0,'.repeat(4_300_000)}0]`, bearer(['admin']));
    expect(res.status).toBe(413);
  }, 30_000);
});
