import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '#platform/config.js';
import { resolveSecrets } from '#platform/secrets.js';
import { signToken } from '../http/auth.js';
import { CSV_TYPE, NDJSON_TYPE, XLSX_TYPE } from '../imports/file-readers.js';

export const USAGE = `Imports history (docs/import.md) into a running trajectory service.

  npm run import -- <file> [--dry-run] [--allow-unregistered] [--url <service>] [--sub <admin>]

  <file>                  .csv (, or ;), .xlsx or .ndjson, in the template of docs/import.md
  --dry-run               check every row; write nothing
  --allow-unregistered    keep placements at organisations not in the directory (closed long ago)
  --url                   the service (default http://127.0.0.1:$PORT, PORT default 3000)
  --sub                   the admin recorded as the importer (default: import-cli)
  --help                  this text

The admin token is minted as npm run token does: with AUTH_JWT_SECRET when it is set, otherwise
with the secret the embedded service keeps in DATA_DIR/secrets.json. Exits 0 when the import is
done, 1 when it failed (its errors are printed), 2 on bad arguments or an unreachable service.
`;

const TYPES: Record<string, string> = { '.csv': CSV_TYPE, '.xlsx': XLSX_TYPE, '.ndjson': NDJSON_TYPE, '.jsonl': NDJSON_TYPE };

interface Progress {
  status: 'validating' | 'importing' | 'done' | 'failed';
  rows: number;
  rowsDone: number;
  workers: number;
  errors: number;
  position: string | null;
}

/** A terminal progress bar: `validating ███████░░░░░ 58 % 12,345 / 21,000 rows`. */
export function progressBar(progress: Pick<Progress, 'status' | 'rows' | 'rowsDone'>, width = 30): string {
  const share = progress.rows > 0 ? Math.min(1, progress.rowsDone / progress.rows) : 0;
  const filled = Math.round(share * width);
  const n = (value: number) => value.toLocaleString('en-US');
  return `${progress.status.padEnd(10)} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${String(Math.round(share * 100)).padStart(3)} % ${n(progress.rowsDone)} / ${progress.rows > 0 ? n(progress.rows) : '?'} rows`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      'allow-unregistered': { type: 'boolean' },
      url: { type: 'string' },
      sub: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new Error('name one file (--help for usage)');
  const type = TYPES[extname(file).toLowerCase()];
  if (!type) throw new Error(`${file}: the file must end in .csv, .xlsx or .ndjson`);
  const config = loadConfig(process.env);
  const secret = config.jwtSecret ?? resolveSecrets(config, { create: false }).jwtSecret;
  const token = signToken(secret, { sub: values.sub ?? 'import-cli', roles: ['admin'] }, 3600);
  const base = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '');
  const query = new URLSearchParams({
    dryRun: String(values['dry-run'] ?? false),
    ...(values['allow-unregistered'] ? { unregisteredEnterprises: 'allow' } : {}),
  });
  const { size } = await stat(file);
  const answer = await fetch(`${base}/v1/imports?${query.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  });
  const body = (await answer.json()) as { importId?: string; detail?: string; errors?: { field: string; message: string }[] };
  if (answer.status === 200) {
    process.stdout.write(`these very bytes were imported before (import ${body.importId}): nothing done\n`);
    return 0;
  }
  if (answer.status !== 202) {
    process.stderr.write(
      `import refused (${answer.status}): ${body.detail ?? ''}\n${(body.errors ?? []).map((e) => `  ${e.field}: ${e.message}`).join('\n')}\n`,
    );
    return 1;
  }
  const importId = body.importId!;
  const interactive = process.stdout.isTTY;
  let progress: Progress;
  let shown = '';
  for (;;) {
    progress = (await (await fetch(`${base}/v1/imports/${importId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Progress;
    const line = progressBar(progress);
    if (line !== shown) {
      process.stdout.write(interactive ? `\r${line}` : `${line}\n`);
      shown = line;
    }
    if (progress.status === 'done' || progress.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (interactive) process.stdout.write('\n');
  if (progress.status === 'done') {
    process.stdout.write(
      `${values['dry-run'] ? 'dry run: every row is fine' : 'imported'}: ${progress.workers} persons, ${progress.rows} rows (import ${importId})\n`,
    );
    return 0;
  }
  const errors = (await (await fetch(`${base}/v1/imports/${importId}/errors?format=csv`, { headers: { authorization: `Bearer ${token}` } })).text())
    .trimEnd()
    .split('\r\n');
  process.stderr.write(`nothing was imported: ${progress.errors} error(s) (import ${importId}); the first ones:\n${errors.slice(0, 21).join('\n')}\n`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`import: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
