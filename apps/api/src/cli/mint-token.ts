import { parseArgs } from 'node:util';
import { loadConfig } from '../../../../libs/platform/src/config.js';
import { resolveSecrets } from '../../../../libs/platform/src/secrets.js';
import { ROLES, signToken, type Role } from '../http/auth.js';

/**
 * Mints a bearer token for a user and roles, signed with AUTH_JWT_SECRET or, for the embedded
 * default, the secret the service keeps in DATA_DIR/secrets.json.
 *   npm run token -- --sub alice --roles screener,coach [--hours 8]
 * The token carries `sub`, `roles`, `iat` and `exp`; --hours is at most AUTH_MAX_TOKEN_HOURS.
 */
export function mintToken(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args: argv,
    options: { sub: { type: 'string' }, roles: { type: 'string' }, hours: { type: 'string', default: '8' } },
    strict: true,
  });
  if (!values.sub) throw new Error('--sub <user id> is required');
  const roles = (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) throw new Error(`--roles is required: a comma-separated list of ${ROLES.join(', ')}`);
  const unknown = roles.filter((r) => !ROLES.includes(r as Role));
  if (unknown.length > 0) throw new Error(`unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  const config = loadConfig(env);
  const hours = Number(values.hours);
  // The service refuses tokens that live longer than AUTH_MAX_TOKEN_HOURS (default 12).
  if (!Number.isFinite(hours) || hours <= 0 || hours > config.authMaxTokenHours) {
    throw new Error(`--hours must be a number of hours above 0 and at most ${config.authMaxTokenHours} (AUTH_MAX_TOKEN_HOURS)`);
  }
  const { jwtSecret } = resolveSecrets(config);
  return signToken(jwtSecret, { sub: values.sub, roles: roles as Role[] }, Math.round(hours * 3600));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${mintToken(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`token: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
