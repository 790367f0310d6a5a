import { resolve } from 'node:path';

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

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

export const WEB_CONFIG = Symbol('WebConfig');
export const DEFAULT_WEB_ROOT = 'dist/web';
export const OIDC_CALLBACK_PATH = '/login/oidc/callback';

function text(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = text(env, name);
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebConfigError(`${name} must be a URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return url.href;
}

function hours(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(value > 0) || value > 24 * 365) {
    throw new WebConfigError(`${name} must be a number of hours above 0 (at most ${24 * 365}), got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** PUBLIC_URL without a trailing slash (it is a base that paths are appended to). */
function publicUrl(env: NodeJS.ProcessEnv): string | null {
  const url = httpUrl(env, 'PUBLIC_URL');
  if (url === null) return null;
  const parsed = new URL(url);
  if (parsed.search || parsed.hash) throw new WebConfigError(`PUBLIC_URL must not have a query or fragment, got ${JSON.stringify(env.PUBLIC_URL)}`);
  return url.replace(/\/+$/, '');
}

function oidc(env: NodeJS.ProcessEnv, base: string | null): OidcConfig | null {
  const names = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const set = names.filter((name) => text(env, name) !== null);
  if (set.length === 0) return null;
  if (set.length < names.length) {
    throw new WebConfigError(`OIDC login needs ${names.join(', ')} together; missing ${names.filter((name) => !set.includes(name)).join(', ')}`);
  }
  const scopes = (text(env, 'OIDC_SCOPES') ?? 'openid profile').split(/\s+/);
  if (!scopes.includes('openid')) throw new WebConfigError(`OIDC_SCOPES must include openid, got ${JSON.stringify(env.OIDC_SCOPES)}`);
  if (base === null) throw new WebConfigError(`OIDC login needs PUBLIC_URL: the identity provider sends the browser back to <PUBLIC_URL>${OIDC_CALLBACK_PATH}`);
  return {
    issuerUrl: httpUrl(env, 'OIDC_ISSUER_URL')!,
    clientId: text(env, 'OIDC_CLIENT_ID')!,
    clientSecret: text(env, 'OIDC_CLIENT_SECRET')!,
    rolesClaim: text(env, 'OIDC_ROLES_CLAIM') ?? 'roles',
    scopes: scopes.join(' '),
    redirectUri: `${base}${OIDC_CALLBACK_PATH}`,
  };
}

/** Reads the browser side's settings; throws WebConfigError naming the variable on a bad value. */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const base = publicUrl(env);
  return {
    publicUrl: base,
    webRoot: resolve(text(env, 'WEB_ROOT') ?? DEFAULT_WEB_ROOT),
    sessionHours: hours(env, 'AUTH_MAX_TOKEN_HOURS', 12),
    oidc: oidc(env, base),
  };
}

/** Where a browser reaches the service: PUBLIC_URL, else the local address of PORT (default 3000). */
export function browserBaseUrl(config: Pick<WebConfig, 'publicUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  return config.publicUrl ?? `http://127.0.0.1:${text(env, 'PORT') ?? '3000'}`;
}
