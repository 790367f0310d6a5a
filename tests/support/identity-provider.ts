import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from './ports.js';

const CLIENT_ID = 'trajectory';
const CLIENT_SECRET = 'the-client-secret-of-this-test';

export interface IdentityProvider {
  issuer: string;
  /** The service's OIDC settings for this provider. */
  serviceEnv: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on a loopback port of its own, with one confidential
 * client: the service at `serviceUrl` (authorization code with PKCE). Its login and consent are
 * finished at once, through its interaction API, for the account `nextAccount()` names; the
 * claims it releases for an account are `claimsOf(account)`.
 */
export async function startIdentityProvider(options: {
  serviceUrl: string;
  nextAccount: () => string;
  claimsOf: (accountId: string) => Record<string, unknown>;
}): Promise<IdentityProvider> {
  const issuer = `http://127.0.0.1:${await freePort()}`;
  const signingKey = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${options.serviceUrl}/login/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...options.claimsOf(id) }) }),
    claims: { openid: ['sub', 'roles'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: ['a-cookie-key-of-this-test'] },
    jwks: { keys: [{ ...signingKey, alg: 'RS256', use: 'sig', kid: 'test' }] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });

  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: options.nextAccount() } }, { mergeWithLastSubmission: false });
      return;
    }
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  const handle = provider.callback();
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    } else {
      void handle(req, res);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(new URL(issuer).port), '127.0.0.1', resolve);
  });
  return {
    issuer,
    serviceEnv: { PUBLIC_URL: options.serviceUrl, OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
