import { expect, expectAccessible, test } from './support/fixtures.js';

test.describe('login, language, CSRF and logout', () => {
  test('without a session the login page explains the one-time link (accessible); no organisation login without OIDC', async ({ page, service }) => {
    await page.goto(`${service.url}/`);
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
    await expect(page.locator('pre code')).toContainText('npm run token -- --sub');
    await expect(page.locator('pre code')).toContainText('--login');
    await expect(page.getByRole('link', { name: 'Aanmelden via de organisatie' })).toHaveCount(0);
    await expectAccessible(page);
  });

  test('the organisation login button appears when /login/options says oidc, and starts at /login/oidc', async ({ page, service }) => {
    await page.route('**/login/options', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"oidc":true}' }));
    await page.goto(`${service.url}/`);
    await expect(page.getByRole('link', { name: 'Aanmelden via de organisatie' })).toHaveAttribute('href', '/login/oidc');
  });

  test('English is a choice: remembered across loads, and <html lang> follows', async ({ page, service }) => {
    await page.goto(`${service.url}/`);
    await page.getByLabel('Taal').selectOption('en');
    await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByLabel('Language').selectOption('nl');
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden' })).toBeVisible();
  });

  test('a one-time link logs in once; the second use lands on the login page with a message', async ({ page, service, browser }) => {
    const link = service.loginLink('coach-once', ['coach']);
    await page.goto(link);
    await expect(page).toHaveURL(/\/#\/caseload$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Mijn caseload' })).toBeVisible();
    await expect(page.getByText('Aangemeld als coach-once (jobcoach)')).toBeVisible();

    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(link);
    await expect(second).toHaveURL(/\?login=failed/);
    await expect(second.getByRole('alert')).toContainText('Aanmelden mislukt');
    await other.close();
  });

  test('an unsafe request under the session without the CSRF header is refused (403); with it the request gets through', async ({ page, loginAs }) => {
    await loginAs('coach-csrf', ['coach']);
    const statuses = await page.evaluate(async () => {
      const post = (headers: Record<string, string>) =>
        fetch('/v1/workers', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
      const without = await post({});
      const { csrfToken } = (await (await fetch('/session')).json()) as { csrfToken: string };
      const wrong = await post({ 'x-csrf-token': `${csrfToken}x` });
      const right = await post({ 'x-csrf-token': csrfToken });
      return { without: without.status, withoutType: without.headers.get('content-type'), wrong: wrong.status, right: right.status };
    });
    // with the token, the request reaches validation: an empty body is 400, not 403
    expect(statuses).toEqual({ without: 403, withoutType: expect.stringContaining('application/problem+json'), wrong: 403, right: 400 });
  });

  test('logout ends the session on the server: the old cookie gets 401 from /session and the API', async ({ page, loginAs, service }) => {
    await loginAs('coach-logout', ['coach']);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await fetch(`${service.url}/session`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${service.url}/v1/workers`, { headers: { cookie } })).status).toBe(200);

    await page.getByRole('button', { name: 'Afmelden' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden' })).toBeVisible();

    expect((await fetch(`${service.url}/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${service.url}/v1/workers`, { headers: { cookie } })).status).toBe(401);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden' })).toBeVisible();
  });
});
