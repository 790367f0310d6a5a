import { parseArgs } from 'node:util';
import { loadConfig } from '#platform/config.js';
import { resolveSecrets } from '#platform/secrets.js';
import { ROLES, signToken, type Role } from '../http/auth.js';
import { mintLoginCode } from '../web/login-codes.js';
import { browserBaseUrl, loadWebConfig } from '../web/web-config.js';

export const USAGE = `Mints a bearer token for the trajectory service.

  npm run token -- --sub <user id> --roles <role,role…> [--hours <n>]
  npm run token -- --sub <user id> --roles <role,role…> --login

  --sub     the user id (the token's sub claim)
  --roles   comma-separated, from: ${ROLES.join(', ')}
  --hours   lifetime in hours (default 8, at most AUTH_MAX_TOKEN_HOURS, default 12)
  --login   print a one-time login link for a browser instead of a token:
            <PUBLIC_URL, else http://127.0.0.1:<PORT, default 3000>>/login?code=…
            It works once, within 10 minutes, and starts a browser session that lasts
            AUTH_MAX_TOKEN_HOURS (default 12).
  --help    this text

The token is signed with AUTH_JWT_SECRET when it is set, otherwise with the secret that the
embedded service keeps in DATA_DIR/secrets.json (default ./data, relative to the current folder).
It never creates that file: start the service (npm start) once first.
`;

/** The token for the arguments, or the usage text for --help; throws with a clear message on bad arguments. */
export function mintToken(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      roles: { type: 'string' },
      hours: { type: 'string' },
      login: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return USAGE;
  if (!values.sub) throw new Error('--sub <user id> is required (--help for usage)');
  const roles = (values.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0) throw new Error(`--roles is required: a comma-separated list of ${ROLES.join(', ')}`);
  const unknown = roles.filter((r) => !ROLES.includes(r as Role));
  if (unknown.length > 0) throw new Error(`unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  const config = loadConfig(env);
  const jwtSecret = () => config.jwtSecret ?? resolveSecrets(config, { create: false, needs: ['jwtSecret'] }).jwtSecret;
  if (values.login) {
    if (values.hours !== undefined) throw new Error('--hours is for tokens; a login link starts a session of AUTH_MAX_TOKEN_HOURS');
    const code = mintLoginCode(jwtSecret(), { sub: values.sub, roles: roles as Role[] });
    return `${browserBaseUrl(loadWebConfig(env), env)}/login?code=${code}`;
  }
  const hours = Number(values.hours ?? '8');
  // The service refuses tokens that live longer than AUTH_MAX_TOKEN_HOURS (default 12).
  if (!Number.isFinite(hours) || hours <= 0 || hours > config.authMaxTokenHours) {
    throw new Error(`--hours must be a number of hours above 0 and at most ${config.authMaxTokenHours} (AUTH_MAX_TOKEN_HOURS)`);
  }
  return signToken(jwtSecret(), { sub: values.sub, roles: roles as Role[] }, Math.round(hours * 3600));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${mintToken(process.argv.slice(2)).trimEnd()}\n`);
  } catch (error) {
    process.stderr.write(`token: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
