import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IMPORT_COLUMNS } from '#application/history-import/import-rows.js';
import { freshInsz } from '../fixtures/workers.js';
import { startBuiltService, type BuiltService } from '../support/built-service.js';

/**
 * `npm run import` (apps/api/src/cli/import-history.ts) against the built service on the
 * embedded store: a dry run, an import, the same bytes again, and the exit codes of a file with
 * row errors (1), a refused file (1) and bad arguments (2).
 */

const run = promisify(execFile);
type Row = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

function csv(rows: readonly Row[]): string {
  return [IMPORT_COLUMNS.join(','), ...rows.map((row) => IMPORT_COLUMNS.map((c) => row[c] ?? '').join(','))].join('\n') + '\n';
}

/** A registration, its screening and a placement at an organisation that is not in the directory (no coach: the directory is empty). */
function person(insz: string): Row[] {
  return [
    { insz, educationLevel: 'medium', migrationBackground: 'nee', disability: 'nee', socialAssistance: 'nee', step: 'registration', date: '2012-03-01' },
    { insz, step: 'screening', date: '2012-03-02', advice: 'supported-employment', programme: 'SW' },
    { insz, step: 'placement', date: '2012-04-01', programme: 'SW', enterpriseId: 'Drukkerij Vandamme (closed 2015)', fte: '1' },
  ];
}

describe('npm run import', () => {
  let service: BuiltService;
  let folder: string;

  beforeAll(async () => {
    service = await startBuiltService();
    folder = mkdtempSync(join(tmpdir(), 'import-cli-'));
  });
  afterAll(async () => {
    await service?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** Runs the CLI as `npm run import -- ...args` does, in the service's environment (its data folder holds the token secret). */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return run(process.execPath, ['dist/apps/api/src/cli/import-history.js', ...args, '--url', service.url], { env: service.env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  function file(name: string, text: string): string {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  }

  test('a dry run checks and writes nothing, the import writes, the same bytes again do nothing', async () => {
    const history = file('history.csv', csv([...person(freshInsz()), ...person(freshInsz())]));

    const dry = await cli(history, '--dry-run', '--allow-unregistered');
    expect(dry).toMatchObject({ code: 0, stdout: expect.stringContaining('dry run: every row is fine: 2 persons, 6 rows') });
    expect(dry.stdout).toMatch(/done {7}█+ 100 % 6 \/ 6 rows/);

    const imported = await cli(history, '--allow-unregistered');
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('imported: 2 persons, 6 rows') });

    const again = await cli(history, '--allow-unregistered');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('were imported before') });
  });

  test('row errors exit 1 with the first errors, the INSZ masked', async () => {
    const insz = freshInsz();
    const refusedPlacement = file('unregistered.csv', csv(person(insz)));
    const answer = await cli(refusedPlacement);
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain('nothing was imported: 1 error(s)');
    expect(answer.stderr).toContain('unknown-enterprise');
    expect(answer.stderr).toContain(insz.slice(0, 6));
    expect(answer.stderr).not.toContain(insz);
  });

  test('a refused file exits 1; bad arguments exit 2', async () => {
    const wrongHeader = await cli(file('wrong.csv', 'insz,stap\n85073003328,registration\n'));
    expect(wrongHeader).toMatchObject({ code: 1, stderr: expect.stringContaining('import refused (400)') });

    expect(await cli()).toMatchObject({ code: 2, stderr: expect.stringContaining('name one file') });
    expect(await cli(file('history.txt', 'x'))).toMatchObject({ code: 2, stderr: expect.stringContaining('must end in .csv, .xlsx or .ndjson') });
    expect(await cli(join(folder, 'missing.csv'))).toMatchObject({ code: 2 });
    expect(await cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('npm run import -- <file>') });
  });
});
