import type { FastifyReply, FastifyRequest } from 'fastify';

/** The browser session's cookie. */
export const SESSION_COOKIE = 'trajectory_session';

/** The session id the request's cookie carries, or null. */
export function sessionIdOf(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) {
      const value = pair.slice(at + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : null;
    }
  }
  return null;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (no other site's page sends it), Path=/, and
 * Secure when the browser reached us over https (X-Forwarded-Proto behind a proxy: trustProxy).
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
