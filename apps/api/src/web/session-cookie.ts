import type { FastifyReply, FastifyRequest } from 'fastify';

/** The browser session's cookie. */
export const SESSION_COOKIE = 'trajectory_session';

/** The OIDC login in progress (state, nonce, PKCE verifier; encrypted), only for the callback. */
export const OIDC_COOKIE = 'trajectory_oidc';
const OIDC_COOKIE_PATH = '/login/oidc';

/** The value of a cookie of the request when it is made of URL-safe characters (ours are), else null. */
function cookieOf(request: FastifyRequest, name: string, pattern: RegExp): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      const value = pair.slice(at + 1).trim();
      return pattern.test(value) ? value : null;
    }
  }
  return null;
}

/** The session id the request's cookie carries, or null. */
export function sessionIdOf(request: FastifyRequest): string | null {
  return cookieOf(request, SESSION_COOKIE, /^[A-Za-z0-9_-]{1,128}$/);
}

export function oidcTransactionOf(request: FastifyRequest): string | null {
  return cookieOf(request, OIDC_COOKIE, /^[A-Za-z0-9_.-]{1,4096}$/);
}

/**
 * SameSite=Lax, not Strict: the browser comes back to the callback from the identity provider's
 * site, a cross-site navigation that carries only Lax cookies. Path: only the login routes see it.
 */
export function setOidcCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  void reply.header('set-cookie', `${OIDC_COOKIE}=${value}; Path=${OIDC_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`);
}

export function clearOidcCookie(request: FastifyRequest, reply: FastifyReply): void {
  setOidcCookie(request, reply, '', 0);
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (no other site's page sends it), Path=/, and
 * Secure when the browser reached us over https (X-Forwarded-Proto from a proxy TRUST_PROXY names).
 */
function attributes(request: FastifyRequest, maxAgeSeconds: number): string {
  return `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${request.protocol === 'https' ? '; Secure' : ''}`;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, expiresAt: Date): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  void reply.header('set-cookie', `${SESSION_COOKIE}=${id}; ${attributes(request, maxAge)}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes(request, 0)}`);
}
