import { expect, test } from './support/fixtures.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';
import { freePort } from '../support/ports.js';
import { startBrowserService, type BrowserService } from './support/service.js';

/**
 * The organisation's login in a real browser: an OpenID provider (oidc-provider) runs in the test
 * on its own port, a second built service is configured for it, and the login page's button
 * goes through the provider and back. The provider's login and consent are finished by the test
 * (its interaction API), for an account whose roles claim says coach.
 */
test.describe('login through the organisation (OIDC)', () => {
  let idp: IdentityProvider;
  let service: BrowserService;

  test.beforeAll(async () => {
    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    idp = await startIdentityProvider({ serviceUrl, nextAccount: () => 'ann@org.example', claimsOf: () => ({ roles: ['coach'] }) });
    service = await startBrowserService({ port: servicePort, env: idp.serviceEnv });
  });

  test.afterAll(async () => {
    await service?.stop();
    await idp?.close();
  });

  test('the login page’s button goes through the provider and back into the application, with the provider’s roles', async ({ page }) => {
    await page.goto(`${service.url}/`);
    await page.getByRole('link', { name: 'Aanmelden via de organisatie' }).click();
    await expect(page).toHaveURL(`${service.url}/#/caseload`);
    await expect(page.getByText('Aangemeld als ann@org.example (jobcoach)')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Mijn caseload' })).toBeVisible();
    await page.getByRole('button', { name: 'Afmelden' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden' })).toBeVisible();
  });
});
