import { signToken } from '../../apps/api/src/http/auth.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';

/** The `src` and `href` of every element of an HTML page. */
const referencesOf = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
/** A reference that leaves this origin: absolute with a scheme, or protocol-relative. */
const isForeign = (reference: string) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(reference) && !reference.startsWith('data:');

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const policy = response.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("default-src 'self'");
  // Nothing from another origin may be loaded: no source list names one.
  expect(policy).not.toMatch(/https?:|\*/);
}

/**
 * api.md third round, "Nothing leaves the machine": the pages the built process serves (the
 * Swagger UI, the problem pages, Bull Board) carry the app's security headers and load nothing
 * from another origin; /docs serves only what its page needs; Bull Board is read-only.
 */
describe('the pages the process serves', () => {
  let service: BuiltService;
  const admin = () => ({ authorization: `Bearer ${signToken(service.secret, { sub: 'pages-admin', roles: ['admin'] })}` });

  beforeAll(async () => {
    service = await startBuiltService();
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
  });

  test('/docs: the security headers, no other origin, only the files its page loads', async () => {
    const page = await fetch(`${service.url}/docs/`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    const html = await page.text();
    const references = referencesOf(html);
    expect(references.filter(isForeign)).toEqual([]);
    for (const reference of references.filter((r) => !r.startsWith('#') && !r.startsWith('data:'))) {
      const file = await fetch(new URL(reference, `${service.url}/docs/`));
      expect([reference, file.status]).toEqual([reference, 200]);
      expectSecurityHeaders(file);
    }
    // No validator badge (an image from validator.swagger.io).
    expect(await fetch(`${service.url}/docs/swagger-ui-init.js`).then((r) => r.text())).toMatch(/"validatorUrl":\s*null/);
    for (const path of ['/docs/package.json', '/docs/swagger-ui.js.map', '/docs/swagger-ui-es-bundle.js', '/docs/README.md', '/docs/absolute-path.js']) {
      expect([path, (await fetch(`${service.url}${path}`)).status]).toEqual([path, 404]);
    }
  });

  test('problem pages and API answers carry the security headers', async () => {
    for (const path of ['/problems/unauthorized', '/problems/rule/date-in-future', '/docs-json', '/health', '/nonexistent']) {
      const response = await fetch(`${service.url}${path}`);
      expect([path, response.status < 500]).toEqual([path, true]);
      expectSecurityHeaders(response);
    }
  });

  test('Bull Board: the security headers, nothing from another origin, read-only', async () => {
    const page = await fetch(`${service.url}/admin/queues`, { headers: admin() });
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    const html = await page.text();
    expect(html).not.toMatch(/fonts\.googleapis|https?:\/\//);
    const references = referencesOf(html);
    expect(references.length).toBeGreaterThan(2);
    for (const reference of references) {
      const file = await fetch(new URL(reference, `${service.url}/admin/queues/`), { headers: admin() });
      expect([reference, file.status]).toEqual([reference, 200]);
    }

    const { queues } = (await fetch(`${service.url}/admin/queues/api/queues`, { headers: admin() }).then((r) => r.json())) as {
      queues: { name: string; readOnlyMode: boolean; isPaused: boolean }[];
    };
    expect(queues.length).toBeGreaterThan(0);
    expect(queues.map((q) => [q.name, q.readOnlyMode])).toEqual(queues.map((q) => [q.name, true]));

    const queue = queues[0].name;
    for (const [method, path] of [
      ['PUT', `/admin/queues/api/queues/${queue}/pause`],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['PUT', `/admin/queues/api/queues/${queue}/empty`],
      ['PUT', `/admin/queues/api/queues/${queue}/retry/failed`],
      ['PUT', `/admin/queues/api/queues/${queue}/clean/completed`],
      ['PUT', `/admin/queues/api/queues/${queue}/obliterate`],
      ['POST', `/admin/queues/api/queues/${queue}/add`],
    ]) {
      const answer = await fetch(`${service.url}${path}`, { method, headers: { ...admin(), 'content-type': 'application/json' }, body: '{}' });
      expect([method, path, answer.status]).toEqual([method, path, 405]);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    const after = (await fetch(`${service.url}/admin/queues/api/queues`, { headers: admin() }).then((r) => r.json())) as { queues: { isPaused: boolean }[] };
    expect(after.queues.filter((q) => q.isPaused)).toEqual([]);
  });
});
