import { parseArgs } from 'node:util';
import { loadConfig } from '../../../../libs/platform/src/config.js';
import { resolveSecrets } from '../../../../libs/platform/src/secrets.js';
import { ROLES, signToken, type Role } from '../http/auth.js';

/**
 * Mints a bearer token for a user and roles, signed with AUTH_JWT_SECRET or, for the embedded
 * default, the secret the service keeps in DATA_DIR/secrets.json.
 *   npm run token -- --sub alice --roles screener,coach [--hours 8]
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
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 365) throw new Error('--hours must be a number of hours above 0');
  const { jwtSecret } = resolveSecrets(loadConfig(env));
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
