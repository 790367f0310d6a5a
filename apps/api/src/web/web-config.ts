import { resolve } from 'node:path';
import { ConfigError, validateEnvironment, type EnvironmentVariables } from '#platform/config.js';

/** The browser side's settings: sessions, the login link's address, the web application's files, OIDC. */
export interface WebConfig {
  /** the address browsers reach the service at (login links, the OIDC redirect URI); null: http://127.0.0.1:<PORT> */
  publicUrl: string | null;
  /** folder of the built web application (`index.html`, `assets/`); absolute */
  webRoot: string;
  /** longest life of a browser session, in hours (AUTH_MAX_TOKEN_HOURS: a session lives no longer than a token may) */
  sessionHours: number;
  /** login through the organisation's identity provider; null when OIDC_ISSUER_URL is not set */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** claim of the ID token (or userinfo) that holds the roles: a name, or a dotted path */
  rolesClaim: string;
  /** the scopes asked for (OIDC_SCOPES, default `openid profile`; must include openid) */
  scopes: string;
  /** `<PUBLIC_URL>/login/oidc/callback` */
  redirectUri: string;
}

export const WEB_CONFIG = Symbol('WebConfig');
export const OIDC_CALLBACK_PATH = '/login/oidc/callback';

const OIDC_TRIPLE = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

/** OIDC login from validated variables: all three of OIDC_TRIPLE or none, and PUBLIC_URL for the redirect URI. */
function oidcOf(vars: EnvironmentVariables, base: string | null): OidcConfig | null {
  const set = OIDC_TRIPLE.filter((name) => vars[name] !== undefined);
  if (set.length === 0) return null;
  if (set.length < OIDC_TRIPLE.length) {
    throw new ConfigError(`OIDC login needs ${OIDC_TRIPLE.join(', ')} together; missing ${OIDC_TRIPLE.filter((name) => !set.includes(name)).join(', ')}`);
  }
  if (base === null) throw new ConfigError(`OIDC login needs PUBLIC_URL: the identity provider sends the browser back to <PUBLIC_URL>${OIDC_CALLBACK_PATH}`);
  return {
    issuerUrl: new URL(vars.OIDC_ISSUER_URL!).href,
    clientId: vars.OIDC_CLIENT_ID!,
    clientSecret: vars.OIDC_CLIENT_SECRET!,
    rolesClaim: vars.OIDC_ROLES_CLAIM,
    scopes: vars.OIDC_SCOPES.split(/\s+/).join(' '),
    redirectUri: `${base}${OIDC_CALLBACK_PATH}`,
  };
}

/** The browser side's settings from the service's validated environment (libs/platform/src/config.ts holds the schema). */
export function webConfigOf(vars: EnvironmentVariables): WebConfig {
  // A base that paths are appended to: no trailing slash.
  const base = vars.PUBLIC_URL === undefined ? null : new URL(vars.PUBLIC_URL).href.replace(/\/+$/, '');
  return { publicUrl: base, webRoot: resolve(vars.WEB_ROOT), sessionHours: vars.AUTH_MAX_TOKEN_HOURS, oidc: oidcOf(vars, base) };
}

/** Reads the browser side's settings; throws ConfigError naming every bad variable. */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  return webConfigOf(validateEnvironment(env));
}

/** Where a browser reaches the service: PUBLIC_URL, else the local address of PORT (default 3000). */
export function browserBaseUrl(config: Pick<WebConfig, 'publicUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  return config.publicUrl ?? `http://127.0.0.1:${validateEnvironment(env).PORT}`;
}
