import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { IMPORT_COLUMNS } from '#application/history-import/import-rows.js';
import { freshInsz } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';
import { historyCsv, type HistoryRow } from '../fixtures/history.js';

/**
 * api.md third round, "History import": a file of past steps is checked whole with the domain's
 * own rules, then written all at once or not at all; a dry run writes nothing; the same bytes
 * twice write once; bad input is a 400, a 413 or row errors, never a 5xx and never a write.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ORGANISATION = randomUUID();
const ENTERPRISE_NUMBER = '0123456749';
const COACH = 'coach-import-a';

/** One person's history: registration, screening, placement at the organisation, exit, and the six-month result. */
function person(insz: string, { year = 2010, programme = 'SW', givenName = 'An', familyName = 'Peeters' } = {}): HistoryRow[] {
  return [
    {
      insz,
      givenName,
      familyName,
      educationLevel: 'low',
      migrationBackground: 'ja',
      disability: 'nee',
      socialAssistance: '0',
      unemployedSince: `${year - 2}-03-01`,
      coach: COACH,
      step: 'registration',
      date: `${year}-01-04`,
    },
    { insz, step: 'screening', date: `${year}-01-05`, advice: 'supported-employment', programme },
    { insz, step: 'pop', date: `${year}-01-20`, goals: 'heftruck rijden|"op tijd" komen' },
    { insz, step: 'placement', date: `${year}-02-01`, programme, enterpriseId: '0123.456.749', fte: '0,8' },
    { insz, step: 'exit', date: `${year + 1}-03-31`, reason: 'resignation' },
    { insz, step: 'follow-up', date: `${year + 1}-10-01`, outcome: 'employed' },
  ];
}

async function xlsx(rows: readonly HistoryRow[], { sheets = 1, formula = false } = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (let s = 0; s < sheets; s++) {
    const sheet = workbook.addWorksheet(`Blad${s + 1}`);
    sheet.addRow([...IMPORT_COLUMNS]);
    for (const row of rows) sheet.addRow(IMPORT_COLUMNS.map((c) => (c === 'date' && row.date ? new Date(`${row.date}T00:00:00Z`) : (row[c] ?? null))));
    if (formula) sheet.getCell('K2').value = { formula: 'TODAY()', date1904: false };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe.each(['pglite', 'postgres'] as const)('history import (%s)', (store) => {
  let service: TestService;
  const admin = () => service.token(['admin'], 'admin-import');

  beforeAll(async () => {
    service = await startTestService({ store });
    // The directory: one organisation recognised for SW and LDE, one coach of it, and a second organisation.
    await service.database.db.query(
      `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes)
       VALUES ($1, $2, 'Maatwerk Antwerpen', 'maatwerkbedrijf', '2000', 'ANT', ARRAY['SW','LDE']),
              ($3, '0403170701', 'LDE Gent', 'lde', '9000', 'OVL', ARRAY['LDE'])`,
      [ORGANISATION, ENTERPRISE_NUMBER, randomUUID()],
    );
    await service.database.db.query(
      `INSERT INTO organisation_members (sub, organisation_id, display_name, roles) VALUES ($1, $2, 'Coach A', ARRAY['coach']), ('coach-import-b', $2, 'Coach B', ARRAY['coach'])`,
      [COACH, ORGANISATION],
    );
  });
  afterAll(() => service.close());

  async function upload(body: string | Buffer, type: string, query = ''): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${service.url}/v1/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin()}`, 'content-type': type },
      body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  /** The import once it has ended (the service runs it in the background). */
  async function finished(importId: string): Promise<any> {
    for (;;) {
      const answer = await service.request('GET', `/v1/imports/${importId}`, { token: admin() });
      expect(answer.status).toBe(200);
      if (answer.body.position) lastPosition = answer.body.position;
      if (answer.body.status === 'done' || answer.body.status === 'failed') return answer.body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function imported(body: string | Buffer, type = 'text/csv', query = ''): Promise<any> {
    const answer = await upload(body, type, query);
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/v1/imports/${answer.body.importId}`);
    return finished(answer.body.importId);
  }

  let lastPosition = '';
  const workerOf = async (insz: string) =>
    (await service.request('GET', `/v1/workers?insz=${insz}${lastPosition ? `&waitFor=${lastPosition}` : ''}`, { roles: ['screener'] })).body.items as any[];
  const errorsOf = async (importId: string) => (await service.request('GET', `/v1/imports/${importId}/errors`, { token: admin() })).body.items as any[];

  test('a CSV of interleaved persons is written with its historic dates, the admin as actor and the import id in the metadata', async () => {
    const [a, b] = [freshInsz(), freshInsz()];
    const rows = person(a).flatMap((row, i) => [row, person(b, { givenName: 'Bart' })[i]]);
    const done = await imported(historyCsv(rows));
    expect(done).toMatchObject({ status: 'done', dryRun: false, rows: 12, rowsDone: 12, workers: 2, errors: 0 });
    expect(done.position).toMatch(/^\d+-\d+$/);
    const [found] = await workerOf(a);
    const worker = await service.request('GET', `/v1/workers/${found.workerId}?waitFor=${done.position}`, {
      token: service.token(['screener', 'coach'], COACH),
    });
    expect(worker.status).toBe(200);
    expect(worker.body).toMatchObject({ givenName: 'An', familyName: 'Peeters', coach: COACH, registeredOn: '2010-01-04', lastStepDate: '2011-03-31' });
    // The POP's goals are sealed under the worker's own key: its reader opens them.
    expect(worker.body.pop).toMatchObject({ establishedOn: '2010-01-20', goals: ['heftruck rijden', '"op tijd" komen'] });
    expect(worker.body.placements).toEqual([
      expect.objectContaining({
        programme: 'SW',
        enterpriseId: ORGANISATION,
        startDate: '2010-02-01',
        fte: 0.8,
        followUp: expect.objectContaining({ outcome: 'employed' }),
      }),
    ]);
    expect(worker.body.timeline.every((entry: any) => entry.actor === 'admin-import')).toBe(true);
    const { rows: metadata } = await service.database.db.query<{ import_id: string }>(
      `SELECT DISTINCT metadata->>'importId' AS import_id FROM events WHERE stream_id = $1`,
      [`worker-${found.workerId}`],
    );
    expect(metadata).toEqual([{ import_id: done.importId }]);
    const flows = await service.request('GET', `/v1/statistics/flows?year=2010&waitFor=${done.position}`, { roles: ['analyst'] });
    expect(flows.body.rows.find((r: any) => r.programme === 'SW')).toMatchObject({ inflow: expect.any(Number) });
  });

  test('a dry run checks every row and writes nothing; the same bytes imported twice write once', async () => {
    const insz = freshInsz();
    const file = historyCsv(person(insz, { year: 2012 }));
    const dry = await imported(file, 'text/csv', '?dryRun=true');
    expect(dry).toMatchObject({ status: 'done', dryRun: true, errors: 0, workers: 1, position: null });
    expect(await workerOf(insz)).toEqual([]);
    const first = await imported(file);
    expect(first.status).toBe('done');
    const again = await upload(file, 'text/csv');
    expect(again.status).toBe(200);
    expect(again.body.importId).toBe(first.importId);
    expect(await workerOf(insz)).toHaveLength(1);
  });

  test('`;`-separated with a byte-order mark and decimal commas, NDJSON and XLSX read as the same template', async () => {
    const [a, b, c] = [freshInsz(), freshInsz(), freshInsz()];
    expect(await imported(`\ufeff${historyCsv(person(a), ';')}`)).toMatchObject({ status: 'done', workers: 1 });
    const ndjson = person(b)
      .map((row) => JSON.stringify({ ...row, fte: row.fte ? 0.8 : undefined, migrationBackground: row.migrationBackground ? true : undefined }))
      .join('\n');
    expect(await imported(ndjson, 'application/x-ndjson')).toMatchObject({ status: 'done', workers: 1 });
    expect(await imported(await xlsx(person(c)), XLSX)).toMatchObject({ status: 'done', workers: 1 });
    for (const insz of [a, b, c]) expect(await workerOf(insz)).toHaveLength(1);
  });

  test('one bad row writes nothing of the file; each error names its row, the masked INSZ, the field, a code and the rule', async () => {
    const good = freshInsz();
    const registered = freshInsz();
    expect(await imported(historyCsv(person(registered)))).toMatchObject({ status: 'done' });
    const badDigits = `${good.slice(0, 9)}${String((Number(good.slice(9)) + 1) % 100).padStart(2, '0')}`;
    const rows: HistoryRow[] = [
      ...person(good),
      ...person(registered, { year: 2013 }),
      { ...person(freshInsz())[0], insz: badDigits },
      { ...person(freshInsz())[0], step: 'promotie' },
      { ...person(freshInsz())[0], date: '2011-02-30' },
    ];
    const outOfOrder = freshInsz();
    rows.push(person(outOfOrder)[0], { ...person(outOfOrder)[1], date: '2009-12-31' });
    const failed = await imported(historyCsv(rows));
    expect(failed).toMatchObject({ status: 'failed', errors: 5 });
    expect(await workerOf(good)).toEqual([]);
    const errors = await errorsOf(failed.importId);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 8, insz: registered.slice(0, 6), field: 'insz', rule: 'worker-already-registered' }),
        expect.objectContaining({ row: 14, insz: badDigits.slice(0, 6), field: 'insz', code: 'insz-check-digits' }),
        expect.objectContaining({ row: 15, field: 'step', code: 'not-allowed' }),
        expect.objectContaining({ row: 16, field: 'date', code: 'not-a-date' }),
        expect.objectContaining({ row: 18, field: 'date', rule: 'date-before-previous-step' }),
      ]),
    );
    const download = await fetch(`${service.url}/v1/imports/${failed.importId}/errors?format=csv`, { headers: { authorization: `Bearer ${admin()}` } });
    expect(download.status).toBe(200);
    const text = await download.text();
    expect(text.split('\r\n')[0]).toBe('row,insz,field,code,rule,message');
    expect(text).not.toContain(registered);
    expect(text).toContain(registered.slice(0, 6));
  });

  test('an unregistered enterprise, an unknown coach and a programme the organisation is not recognised for are row errors; unregisteredEnterprises=allow keeps closed organisations', async () => {
    const insz = freshInsz();
    const closed = person(insz).map((row) => (row.step === 'placement' ? { ...row, enterpriseId: 'Beschutte Werkplaats De Oude Molen (gesloten 2009)' } : row));
    const refused = await imported(historyCsv(closed));
    expect(await errorsOf(refused.importId)).toEqual([expect.objectContaining({ row: 5, field: 'enterpriseId', rule: 'unknown-enterprise' })]);
    expect(await imported(historyCsv(closed), 'text/csv', '?unregisteredEnterprises=allow')).toMatchObject({ status: 'done' });
    const other = person(freshInsz(), { programme: 'BW' });
    expect(await errorsOf((await imported(historyCsv(other))).importId)).toEqual([
      expect.objectContaining({ field: 'enterpriseId', rule: 'programme-not-recognised' }),
    ]);
    const noCoach = person(freshInsz()).map((row) => (row.step === 'registration' ? { ...row, coach: 'Jan' } : row));
    expect(await errorsOf((await imported(historyCsv(noCoach))).importId)).toEqual([
      expect.objectContaining({ row: 2, field: 'coach', rule: 'unknown-coach' }),
    ]);
  });

  test('a file that cannot be read is refused whole: wrong header, missing column, empty, not what its type says; formulas, several sheets and a CSV cut off mid-quote fail without a write', async () => {
    const rows = person(freshInsz());
    const expect400 = async (body: string | Buffer, type: string) => {
      const answer = await upload(body, type);
      expect(answer.status).toBe(400);
      expect(answer.body.type).toMatch(/invalid-input/);
    };
    await expect400(historyCsv(rows).replace('educationLevel', 'opleiding'), 'text/csv');
    await expect400(historyCsv(rows).replace(',outcome', ''), 'text/csv');
    await expect400('', 'text/csv');
    await expect400(historyCsv(rows), XLSX);
    await expect400(await xlsx(rows), 'text/csv');
    // Found after the header: the import fails with a file-level error (row 0) and writes nothing.
    for (const [workbook, code] of [
      [await xlsx(rows, { formula: true }), 'formula'],
      [await xlsx(rows, { sheets: 2 }), 'several-sheets'],
    ] as const) {
      const failed = await imported(workbook, XLSX);
      expect(failed.status).toBe('failed');
      expect(await errorsOf(failed.importId)).toEqual([expect.objectContaining({ row: 0, code })]);
    }
    expect((await upload(JSON.stringify(rows), 'application/json')).status).toBe(415);
    expect((await upload(historyCsv(rows), 'text/plain')).status).toBe(415);
    const text = historyCsv(rows);
    const cut = text.slice(0, text.indexOf('heftruck') + 4);
    const failed = await imported(cut);
    expect(failed.status).toBe('failed');
    expect(await workerOf(rows[0].insz!)).toEqual([]);
  });

  test('a body larger than an import takes is refused at once with 413, by its Content-Length, before any of it is read', async () => {
    const { port } = new URL(service.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/imports',
          headers: { authorization: `Bearer ${admin()}`, 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3) },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body }));
        },
      );
      request.on('error', reject);
      // A few bytes of the announced 2 GB: the answer comes without waiting for the rest.
      request.write('insz,');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).status).toBe(413);
  });

  test("the repository's template is the header and its sample imports as a dry run", async () => {
    const template = readFileSync('docs/import/template.csv', 'utf8');
    expect(template.trim().split(',')).toEqual([...IMPORT_COLUMNS]);
    await service.database.db.query(
      `INSERT INTO organisation_members (sub, organisation_id, display_name, roles) VALUES ('coach-antwerpen', $1, 'Coach Antwerpen', ARRAY['coach']) ON CONFLICT DO NOTHING`,
      [ORGANISATION],
    );
    const dry = await imported(readFileSync('docs/import/sample.csv', 'utf8'), 'text/csv', '?dryRun=true');
    expect(dry).toMatchObject({ status: 'done', errors: 0, workers: 2, rows: 11 });
  });

  test('only an admin may import; another role gets 403 and an unknown import 404', async () => {
    const answer = await fetch(`${service.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.token(['coach', 'screener'], COACH)}`, 'content-type': 'text/csv' },
      body: historyCsv(person(freshInsz())),
    });
    expect(answer.status).toBe(403);
    expect((await service.request('GET', `/v1/imports/${randomUUID()}`, { token: admin() })).status).toBe(404);
    expect((await service.request('GET', '/v1/imports/not-an-id', { token: admin() })).status).toBe(404);
  });

  test('a restarted service fails the imports of a process that stopped, and leaves those of a live process alone', async () => {
    const db = service.database.db;
    const [checking, writing, live] = [randomUUID(), randomUUID(), randomUUID()];
    const running = (importId: string, status: string, heartbeat: string, owner: string) =>
      db.query(
        `INSERT INTO history_imports (import_id, sha256, format, dry_run, allow_unregistered, status, actor, owner, heartbeat_at, rows, rows_done)
         VALUES ($1, $2, 'csv', false, false, $3, 'admin-import', $4, now() - $5::interval, 10, 5)`,
        [importId, randomUUID(), status, owner, heartbeat],
      );
    await running(checking, 'validating', '1 hour', 'a-stopped-process');
    await running(writing, 'importing', '10 minutes', 'a-stopped-process');
    await running(live, 'importing', '0 seconds', 'a-live-process');
    await db.query(`INSERT INTO history_import_rows (import_id, person, row, sealed) VALUES ($1, 'p', 2, 'x')`, [writing]);

    await service.restart();

    const progress = async (importId: string) => (await service.request('GET', `/v1/imports/${importId}`, { token: admin() })).body;
    expect(await progress(checking)).toMatchObject({ status: 'failed', errors: 1 });
    expect(await errorsOf(checking)).toEqual([
      expect.objectContaining({ row: 0, code: 'interrupted', message: expect.stringContaining('nothing was written') }),
    ]);
    expect(await progress(writing)).toMatchObject({ status: 'failed', errors: 1, rowsDone: 5 });
    expect(await errorsOf(writing)).toEqual([
      expect.objectContaining({ row: 0, code: 'interrupted', message: expect.stringContaining('written before the stop are kept') }),
    ]);
    expect((await db.query('SELECT 1 FROM history_import_rows WHERE import_id = $1', [writing])).rows).toHaveLength(0);
    expect(await progress(live)).toMatchObject({ status: 'importing', errors: 0 });
    await db.query(`UPDATE history_imports SET status = 'failed' WHERE import_id = $1`, [live]);
  });
});
