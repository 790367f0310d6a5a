import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { expect, test } from './support/fixtures.js';
import { freePort } from '../support/ports.js';
import { startBrowserService, type BrowserService } from './support/service.js';

/**
 * The organisation's login in a real browser: an OpenID provider (oidc-provider) runs in the test
 * on its own port, a second built service is configured for it, and the login page's button
 * goes through the provider and back. The provider's login and consent are finished by the test
 * (its interaction API), for an account whose roles claim says coach.
 */
test.describe('login through the organisation (OIDC)', () => {
  let provider: Provider;
  let idp: Server;
  let service: BrowserService;

  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: 'ann@org.example' } }, { mergeWithLastSubmission: false });
      return;
    }
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  test.beforeAll(async () => {
    const [idpPort, servicePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idpPort}`;
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'trajectory',
          client_secret: 'the-client-secret-of-this-test',
          redirect_uris: [`${serviceUrl}/login/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, roles: ['coach'] }) }),
      claims: { openid: ['sub', 'roles'], profile: ['name'] },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      cookies: { keys: ['a-cookie-key-of-this-test'] },
      jwks: { keys: [{ ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    });
    const handle = provider.callback();
    idp = createServer((req, res) => {
      if (req.url?.startsWith('/interaction/')) {
        interact(req, res).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
      } else {
        void handle(req, res);
      }
    });
    await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
    service = await startBrowserService({
      port: servicePort,
      env: { PUBLIC_URL: serviceUrl, OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: 'trajectory', OIDC_CLIENT_SECRET: 'the-client-secret-of-this-test' },
    });
  });

  test.afterAll(async () => {
    await service?.stop();
    idp?.closeAllConnections();
    await new Promise((resolve) => idp?.close(resolve));
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
