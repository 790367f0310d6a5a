/**
 * What the web application may load: only its own files and the API (no inline script or style,
 * no other origin), and no page may frame it. It holds no data of its own.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** The security headers of every file of the web application (apart from its caching). */
export const WEB_APP_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;
