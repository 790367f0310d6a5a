import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EncryptJWT, jwtDecrypt } from 'jose';
import * as client from 'openid-client';
import { claimAt, ROLES, type Actor } from '../http/auth.js';
import { stringProblem } from '../http/input-rules.js';
import { ProblemException } from '../http/problem.js';
import type { OidcConfig } from './web-config.js';

/** How long a browser may take at the identity provider. */
export const TRANSACTION_SECONDS = 10 * 60;

/** What the callback must see again: kept, encrypted, in a short-lived cookie (never in the database). */
interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export const OIDC_LOGIN = Symbol('OidcLogin');

export type OidcOutcome = { ok: true; actor: Actor } | { ok: false; reason: string };

/**
 * Login through the organisation's identity provider (api.md "The browser"): the authorization
 * code flow with PKCE (S256), `state` and `nonce`, by openid-client. The provider's metadata is
 * discovered on first use (and again after a failure). The state, nonce and code verifier travel
 * in a cookie encrypted (A256GCM) under a key derived from the service's JWT secret, so any
 * instance of the service can finish a login another one started. Roles come from the claim
 * OIDC_ROLES_CLAIM of the ID token, else of userinfo; only the service's roles are kept, and a
 * user with none is refused.
 */
export class OidcLogin {
  private configuration: Promise<client.Configuration> | null = null;
  private readonly key: Uint8Array;
  private readonly logger = new Logger('Sessions');

  constructor(
    private readonly config: OidcConfig,
    jwtSecret: string,
  ) {
    this.key = createHmac('sha256', jwtSecret).update('trajectory oidc transactions').digest();
  }

  private discover(): Promise<client.Configuration> {
    this.configuration ??= client
      // client_secret_basic: the client authentication every provider must support (RFC 6749 §2.3.1).
      .discovery(new URL(this.config.issuerUrl), this.config.clientId, undefined, client.ClientSecretBasic(this.config.clientSecret), {
        // A plain-http issuer only for a provider on this machine (development, the tests); production uses https.
        execute: new URL(this.config.issuerUrl).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.configuration = null;
        this.logger.error(`OIDC_ISSUER_URL could not be discovered: ${(error as Error).message}`);
        throw ProblemException.of(
          503,
          'identity-provider-unavailable',
          'Service unavailable',
          'the identity provider could not be reached; try again',
          {},
          { 'retry-after': '30' },
        );
      });
    return this.configuration;
  }

  /** The provider's authorization URL to send the browser to, and the transaction cookie's value. */
  async start(): Promise<{ url: string; transaction: string }> {
    const configuration = await this.discover();
    const transaction: Transaction = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    const sealed = await new EncryptJWT({ ...transaction })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${TRANSACTION_SECONDS}s`)
      .encrypt(this.key);
    return { url: url.href, transaction: sealed };
  }

  /** The user of a callback (its query string), checked against the transaction the browser brought back. */
  async finish(query: string, sealed: string | null): Promise<OidcOutcome> {
    if (sealed === null) return { ok: false, reason: 'no login in progress (transaction cookie missing)' };
    let transaction: Transaction;
    try {
      transaction = (await jwtDecrypt(sealed, this.key, { contentEncryptionAlgorithms: ['A256GCM'], keyManagementAlgorithms: ['dir'] }))
        .payload as unknown as Transaction;
    } catch {
      return { ok: false, reason: 'the transaction cookie is invalid or expired' };
    }
    const configuration = await this.discover();
    const callback = new URL(this.config.redirectUri);
    callback.search = query;
    let claims: Record<string, unknown>;
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims() };
    } catch (error) {
      return { ok: false, reason: `the identity provider's answer was refused: ${(error as Error).message}` };
    }
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub === '' || stringProblem(sub)) return { ok: false, reason: 'the ID token has no usable subject' };
    let claim = claimAt(claims, this.config.rolesClaim);
    if (claim === undefined) {
      try {
        claim = claimAt(await client.fetchUserInfo(configuration, tokens.access_token, sub), this.config.rolesClaim);
      } catch (error) {
        return { ok: false, reason: `userinfo could not be read: ${(error as Error).message}` };
      }
    }
    const roles = Array.isArray(claim) ? ROLES.filter((role) => claim.includes(role)) : [];
    if (roles.length === 0) return { ok: false, reason: `${sub} has none of the roles ${ROLES.join(', ')} in the claim ${this.config.rolesClaim}` };
    return { ok: true, actor: { sub, roles } };
  }
}
