import ExcelJS from 'exceljs';
import { aWorkerPlacedIn } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Series, small cells, exports and publications over a small population:
 *   2012: 12 placements start in SW, 7 in BW, 2 in LDE;
 *   2013: 3 of the SW placements end (reason death: no six-month check to wait for).
 */
type Row = Record<string, unknown> & { programme: string; year?: number; suppressed?: string[] };

const analyst = { roles: ['analyst' as const] };

describe.each(['pglite', 'postgres'] as const)('publishing statistics through the public API (%s)', (store) => {
  let service: TestService;
  let lastPosition = '';
  const sw: string[] = [];
  const bw: string[] = [];

  const get = (path: string, headers: Record<string, string> = {}) => service.request('GET', path, { ...analyst, headers });
  const row = (rows: Row[], programme: string, year?: number) => rows.find((r) => r.programme === programme && (year === undefined || r.year === year))!;

  beforeAll(async () => {
    service = await startTestService({ store });
    const place = async (programme: string, count: number, into: string[]) => {
      for (let i = 0; i < count; i++) into.push((await aWorkerPlacedIn(service, programme, '2012-03-01', 0.5)).workerId);
    };
    await place('SW', 12, sw);
    await place('BW', 7, bw);
    await place('LDE', 2, []);
    for (const workerId of sw.slice(0, 3)) {
      const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: '2013-04-15', reason: 'death' } });
      expect(exit.status).toBe(201);
      lastPosition = exit.body.position;
    }
    expect((await get(`/v1/statistics/flows?year=2013&waitFor=${lastPosition}`)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await service.close();
  });

  describe('series', () => {
    test('from/to answers the per-year rows of every year, each with its year', async () => {
      const res = await get('/v1/statistics/flows?from=2011&to=2013');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ from: 2011, to: 2013 });
      expect(res.body.year).toBeUndefined();
      const rows: Row[] = res.body.rows;
      expect(rows.map((r) => `${r.year} ${r.programme}`)).toEqual([
        '2011 TOTAL',
        '2012 SW',
        '2012 BW',
        '2012 LDE',
        '2012 TOTAL',
        '2013 SW',
        '2013 BW',
        '2013 LDE',
        '2013 TOTAL',
      ]);
      expect(Object.keys(rows[0]).slice(0, 2)).toEqual(['year', 'programme']);
      expect(row(rows, 'SW', 2013)).toMatchObject({ stockStart: 12, inflow: 0, outflow: 3, stockEnd: 9, growth: -3, growthPct: -25, fteEnd: 4.5 });
      // Each year's rows are exactly that year's table.
      const single = await get('/v1/statistics/flows?year=2012');
      expect(rows.filter((r) => r.year === 2012).map(({ year: _year, ...rest }) => rest)).toEqual(single.body.rows);
    });

    test('an outflow series carries its method', async () => {
      const res = await get('/v1/statistics/outflow?from=2012&to=2013&method=employment-only');
      expect(res.body).toMatchObject({ from: 2012, to: 2013, method: 'employment-only' });
      expect(row(res.body.rows, 'SW', 2013)).toMatchObject({ year: 2013, reach: 12, exited: 3, exitedPct: 25, toWork: 0, pending: 0 });
    });

    test('year and from/to exclude each other; a range is complete, ordered and at most 50 years', async () => {
      for (const query of [
        'year=2012&from=2011&to=2013',
        'year=2012&to=2013',
        'from=2012',
        'to=2012',
        'from=2013&to=2012',
        'from=1950&to=2000',
        'from=abc&to=2012',
      ]) {
        const res = await get(`/v1/statistics/flows?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
      expect((await get('/v1/statistics/flows?from=1951&to=2000')).status).toBe(200);
    });
  });

  describe('small cells', () => {
    test('minCell withholds every count below it, lists what it withheld, and keeps each withheld count underivable', async () => {
      const res = await get('/v1/statistics/flows?year=2012&minCell=5');
      expect(res.status).toBe(200);
      expect(res.body.minCell).toBe(5);
      const rows: Row[] = res.body.rows;
      const lde = row(rows, 'LDE');
      expect(lde).toMatchObject({ inflow: null, stockEnd: null, fteEnd: null, rotationPct: null });
      expect(lde.suppressed).toEqual(expect.arrayContaining(['inflow', 'stockEnd', 'fteEnd', 'rotationPct']));
      for (const r of rows) {
        for (const field of ['stockStart', 'inflow', 'outflow', 'stockEnd']) {
          const value = r[field] as number | null;
          if (value !== null) expect(value === 0 || value >= 5).toBe(true);
          expect(r.suppressed!.includes(field)).toBe(value === null);
        }
      }
      // TOTAL − the published programmes does not give LDE's inflow: another programme's is withheld too.
      expect(row(rows, 'TOTAL').inflow).toBe(21);
      expect(rows.filter((r) => r.programme !== 'TOTAL' && r.inflow === null).length).toBeGreaterThanOrEqual(2);
      // Within the row, stockEnd = stockStart + inflow − outflow cannot give inflow back either.
      expect(lde.stockEnd).toBeNull();
    });

    test('the outflow table is suppressed like the flows table; a series carries stockEnd into the next stockStart', async () => {
      const outflow = await get('/v1/statistics/outflow?year=2012&minCell=5');
      const lde = row(outflow.body.rows, 'LDE');
      expect(lde).toMatchObject({ reach: null, exitedPct: null, toWorkPctOfReach: null });
      expect(lde.suppressed).toEqual(expect.arrayContaining(['reach', 'exitedPct', 'toWorkPctOfReach']));
      const series = await get('/v1/statistics/flows?from=2012&to=2013&minCell=5');
      const single = await get('/v1/statistics/flows?year=2012&minCell=5');
      expect(series.body.rows.filter((r: Row) => r.year === 2012).map(({ year: _year, ...rest }: Row) => rest)).toEqual(single.body.rows);
      // stockEnd of 2012 is stockStart of 2013: withheld in one year, withheld in the next.
      for (const programme of ['SW', 'BW', 'LDE', 'TOTAL']) {
        expect([programme, row(series.body.rows, programme, 2013).stockStart === null]).toEqual([
          programme,
          row(series.body.rows, programme, 2012).stockEnd === null,
        ]);
      }
      expect(row(series.body.rows, 'LDE', 2013).stockStart).toBeNull();
      // 2013: SW lost 3 placements: its outflow (3) is withheld.
      expect(row(series.body.rows, 'SW', 2013)).toMatchObject({ outflow: null });
    });

    test('without minCell rows carry no suppressed list; minCell must be a positive integer', async () => {
      const res = await get('/v1/statistics/flows?year=2012');
      expect(res.body.rows[0].suppressed).toBeUndefined();
      for (const bad of ['0', '-1', '2.5', 'x']) expect((await get(`/v1/statistics/flows?year=2012&minCell=${bad}`)).status).toBe(400);
    });
  });

  describe('exports', () => {
    test('format=csv: an attachment with a telling name, a header of the field names, CRLF', async () => {
      const res = await get('/v1/statistics/flows?from=2012&to=2013&format=csv');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="flows-2012-2013.csv"');
      const lines = (res.body as string).split('\r\n');
      expect(lines[0]).toBe('year,programme,stockStart,inflow,outflow,stockEnd,growth,growthPct,rotationPct,fteEnd');
      expect(lines).toContain('2013,SW,12,0,3,9,-3,-25,0,4.5');
      expect(lines.at(-1)).toBe('');
    });

    test('dialect=excel-nl: Dutch headers in the same order, semicolons, decimal commas and a byte-order mark; suppressed as one cell', async () => {
      const res = await fetch(`${service.url}/v1/statistics/outflow?year=2013&format=csv&dialect=excel-nl&minCell=2`, {
        headers: { authorization: `Bearer ${service.token(['analyst'])}` },
      });
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="outflow-2013-including-ibo.csv"');
      // Raw bytes: a decoder would drop the byte-order mark.
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
      expect(lines[0]).toBe(
        'Programma;Bereik;Uitgestroomd;Uitgestroomd % van bereik;Uitstroom naar werk;Naar werk % van uitgestroomd;Naar werk % van bereik;Opvolging nog niet gekend;Afgeschermd',
      );
      // TOTAL: reach 21, exited 3 → 14.3 %.
      expect(lines.find((l) => l.startsWith('TOTAL;'))).toBe('TOTAL;21;3;14,3;0;0;0;0;');
    });

    test('Accept: text/csv is an attachment too', async () => {
      const res = await get('/v1/statistics/outflow?year=2012&method=employment-only', { accept: 'text/csv' });
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="outflow-2012-employment-only.csv"');
      expect((res.body as string).startsWith('programme,reach,')).toBe(true);
    });

    test('format=xlsx: a named sheet, a header row, numbers as numbers, withheld cells empty', async () => {
      const res = await fetch(`${service.url}/v1/statistics/flows?year=2012&format=xlsx&minCell=5`, {
        headers: { authorization: `Bearer ${service.token(['analyst'])}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="flows-2012.xlsx"');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
      const sheet = workbook.getWorksheet('flows 2012')!;
      expect(sheet).toBeDefined();
      expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
        'programme',
        'stockStart',
        'inflow',
        'outflow',
        'stockEnd',
        'growth',
        'growthPct',
        'rotationPct',
        'fteEnd',
        'suppressed',
      ]);
      const json = (await get('/v1/statistics/flows?year=2012&minCell=5')).body.rows as Row[];
      expect(sheet.rowCount).toBe(json.length + 1);
      json.forEach((r, i) => {
        const cells = (sheet.getRow(i + 2).values as unknown[]).slice(1);
        expect(cells[0]).toBe(r.programme);
        ['stockStart', 'inflow', 'outflow', 'stockEnd', 'growth', 'growthPct', 'rotationPct', 'fteEnd'].forEach((field, k) => {
          const value = r[field];
          if (value === null) expect(cells[k + 1] ?? null).toBeNull();
          else {
            expect(typeof cells[k + 1]).toBe('number');
            expect(cells[k + 1]).toBe(value);
          }
        });
      });
      expect(row(json, 'SW').inflow).toBe(12);
    });

    test('an unknown format or dialect is a 400', async () => {
      expect((await get('/v1/statistics/flows?year=2012&format=pdf')).status).toBe(400);
      expect((await get('/v1/statistics/flows?year=2012&format=csv&dialect=excel-fr')).status).toBe(400);
    });
  });

  test('the OpenAPI document describes the new parameters and paths', async () => {
    const doc = (await fetch(`${service.url}/docs-json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/statistics/publications', '/v1/statistics/publications/{id}']));
    const names = doc.paths['/v1/statistics/flows'].get.parameters!.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['year', 'from', 'to', 'minCell', 'format', 'dialect', 'waitFor']));
  });

  describe('publications', () => {
    test('a published table stays frozen; its changes name the cells that moved since', async () => {
      const published = await service.request('POST', '/v1/statistics/publications', { ...analyst, body: { table: 'flows', year: 2013 } });
      expect(published.status).toBe(201);
      expect(published.body).toEqual({
        publicationId: expect.any(String),
        position: expect.stringMatching(/^\d+-\d+$/),
        publishedAt: '2026-11-23T10:00:00.000Z',
      });
      const before = await get(`/v1/statistics/publications/${published.body.publicationId}`);
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ table: 'flows', year: 2013, position: published.body.position, changes: [] });
      expect(before.body.rows).toEqual((await get('/v1/statistics/flows?year=2013')).body.rows);

      // A BW placement ends in 2013 after publication.
      const exit = await service.request('POST', `/v1/workers/${bw[0]}/exits`, { roles: ['coach'], body: { date: '2013-06-01', reason: 'death' } });
      expect(exit.status).toBe(201);
      await get(`/v1/statistics/flows?year=2013&waitFor=${exit.body.position}`);

      const after = await get(`/v1/statistics/publications/${published.body.publicationId}`);
      expect(after.body.rows).toEqual(before.body.rows);
      expect(row(after.body.rows, 'BW')).toMatchObject({ outflow: 0, stockEnd: 7 });
      expect(after.body.changes).toEqual(
        expect.arrayContaining([
          { programme: 'BW', field: 'outflow', published: 0, current: 1 },
          { programme: 'BW', field: 'stockEnd', published: 7, current: 6 },
          { programme: 'TOTAL', field: 'outflow', published: 3, current: 4 },
        ]),
      );
      expect(after.body.changes.every((c: { programme: string }) => c.programme === 'BW' || c.programme === 'TOTAL')).toBe(true);
    });

    test('a series with minCell can be published; its changes carry the year', async () => {
      const published = await service.request('POST', '/v1/statistics/publications', {
        ...analyst,
        body: { table: 'outflow', from: 2012, to: 2013, minCell: 3, method: 'employment-only' },
      });
      expect(published.status).toBe(201);
      const res = await get(`/v1/statistics/publications/${published.body.publicationId}`);
      expect(res.body).toMatchObject({ table: 'outflow', from: 2012, to: 2013, method: 'employment-only', minCell: 3, changes: [] });
      expect(row(res.body.rows, 'LDE', 2012)).toMatchObject({ year: 2012, reach: null });
      expect(row(res.body.rows, 'LDE', 2012).suppressed).toContain('reach');
    });

    test('the list pages through every publication, oldest first', async () => {
      const first = await get('/v1/statistics/publications?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.items[0]).toMatchObject({ table: 'flows', year: 2013 });
      expect(first.body.items[0].rows).toBeUndefined();
      const second = await get(`/v1/statistics/publications?limit=1&after=${first.body.next}`);
      expect(second.body.items[0]).toMatchObject({ table: 'outflow', from: 2012, to: 2013 });
      const all = await get('/v1/statistics/publications');
      expect(all.body.items.map((i: { publicationId: string }) => i.publicationId)).toEqual([
        first.body.items[0].publicationId,
        second.body.items[0].publicationId,
      ]);
      expect(all.body.next).toBeNull();
    });

    test('analysts only; bad bodies are 400; an unknown publication is 404', async () => {
      expect((await service.request('POST', '/v1/statistics/publications', { roles: ['coach'], body: { table: 'flows', year: 2013 } })).status).toBe(403);
      expect((await service.request('GET', '/v1/statistics/publications', { roles: ['admin'] })).status).toBe(403);
      for (const body of [
        { table: 'magic', year: 2013 },
        { table: 'flows' },
        { table: 'flows', year: 2013, from: 2012, to: 2013 },
        { table: 'flows', year: 2013, method: 'including-ibo' },
        { table: 'flows', year: 2013, extra: 1 },
      ]) {
        const res = await service.request('POST', '/v1/statistics/publications', { ...analyst, body });
        expect([body, res.status]).toEqual([body, 400]);
      }
      expect((await get('/v1/statistics/publications/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await get('/v1/statistics/publications?after=nope')).status).toBe(400);
    });
  });
});
