import { createHash, createHmac, randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { errors, jwtVerify } from 'jose';
import type { SqlDatabase } from '#sql/sql.js';
import { ROLES, type Actor } from '../http/auth.js';
import { stringProblem } from '../http/input-rules.js';

/** How long a login link works. */
export const LOGIN_CODE_SECONDS = 10 * 60;
const AUDIENCE = 'trajectory:login';

/**
 * The key of login codes: derived from the service's JWT secret, never the secret itself, so that
 * a login code is no bearer token (nor a bearer token a login code).
 */
function codeKey(jwtSecret: string): Uint8Array {
  return createHmac('sha256', jwtSecret).update('trajectory login codes').digest();
}

/**
 * A one-time login code (the `code` of `/login?code=…`): an HS256 JWT under the derived key, with
 * the user's `sub` and `roles`, a random 128-bit `jti` and `exp` 10 minutes on. The token CLI mints
 * it without touching the database (the embedded service holds PGlite's files open); the service
 * makes it single-use by recording its `jti` (hashed) when it redeems it.
 */
export function mintLoginCode(jwtSecret: string, actor: Actor, now = Date.now()): string {
  return new JwtService({ secret: Buffer.from(codeKey(jwtSecret)) }).sign(
    { roles: actor.roles, iat: Math.floor(now / 1000) },
    { subject: actor.sub, audience: AUDIENCE, jwtid: randomBytes(16).toString('base64url'), expiresIn: LOGIN_CODE_SECONDS, algorithm: 'HS256' },
  );
}

export type Redemption = { ok: true; actor: Actor } | { ok: false; reason: 'invalid' | 'expired' | 'used' | 'no-roles' };

/** Redeems login codes: each valid one once. */
export class LoginCodes {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: SqlDatabase,
    jwtSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = codeKey(jwtSecret);
  }

  async redeem(code: string): Promise<Redemption> {
    let payload;
    try {
      ({ payload } = await jwtVerify(code, this.key, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        currentDate: new Date(this.now()),
        // No skew: the link is minted and redeemed by the same service's clock.
        clockTolerance: 0,
      }));
    } catch (error) {
      return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
    const { sub, exp, iat, jti, roles: claim } = payload;
    if (typeof sub !== 'string' || sub === '' || stringProblem(sub) || typeof jti !== 'string' || exp! - iat! > LOGIN_CODE_SECONDS)
      return { ok: false, reason: 'invalid' };
    const roles = Array.isArray(claim) ? ROLES.filter((role) => claim.includes(role)) : [];
    if (roles.length === 0) return { ok: false, reason: 'no-roles' };
    const inserted = await this.db.query('INSERT INTO login_codes_used (code_hash, expires_at) VALUES ($1, $2) ON CONFLICT (code_hash) DO NOTHING', [
      createHash('sha256').update(jti).digest('hex'),
      new Date(exp! * 1000).toISOString(),
    ]);
    if (inserted.rowCount !== 1) return { ok: false, reason: 'used' };
    return { ok: true, actor: { sub, roles } };
  }

  /** Forgets redeemed codes that have expired (they are refused for their `exp` anyway). */
  async sweep(): Promise<void> {
    await this.db.query('DELETE FROM login_codes_used WHERE expires_at < $1', [new Date(this.now()).toISOString()]);
  }
}
