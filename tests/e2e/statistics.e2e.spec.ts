import { SW_2011, loadSwPlan, swPlan } from '../fixtures/sw-2011.js';
import { aWorkerPlacedIn } from '../fixtures/workers.js';
import { startTestService, type TestService } from '../support/service.js';

/** Waits until every six-month check of the scenario has run and the read models hold every command of it. */
async function untilChecked(service: TestService, position: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await service.request('GET', `/v1/statistics/outflow?year=2011&waitFor=${position}`, { roles: ['analyst'] });
    const pending = res.body.rows?.find((r: { programme: string }) => r.programme === 'TOTAL')?.pending;
    const health = await service.request('GET', '/health');
    if (res.status === 200 && pending === 0 && health.body.checks?.projections?.caughtUp === true) return;
    if (Date.now() > deadline) throw new Error(`checks still pending: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.each(['pglite', 'postgres'] as const)('outflow statistics through the public API (%s)', (store) => {
  let service: TestService;
  const plan = swPlan();

  // About 5,000 workers through the API: 150 s (PostgreSQL) and 240 s (PGlite) on a shared, loaded 2-core machine.
  beforeAll(async () => {
    service = await startTestService({ store });
    await untilChecked(service, await loadSwPlan(service, plan));
  }, 480_000);
  afterAll(async () => {
    await service.close();
  });

  test('reproduces the worked SW 2011 flow table exactly', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?year=2011', { roles: ['analyst'] });
    expect(res.status).toBe(200);
    expect(res.body.year).toBe(2011);
    const sw = res.body.rows.find((r: { programme: string }) => r.programme === 'SW');
    // FTE of the placements still active at the end of 2011, summed exactly.
    const activeFteTenThousandths = plan
      .filter((p) => p.programme === 'SW' && p.startDate <= '2011-12-31' && (!p.exit || p.exit.date > '2011-12-31'))
      .reduce((sum, p) => sum + Math.round(p.fte * 10_000), 0);
    expect(sw).toEqual({
      programme: 'SW',
      stockStart: SW_2011.stockStart,
      inflow: SW_2011.inflow,
      outflow: SW_2011.outflow,
      stockEnd: SW_2011.stockEnd,
      growth: SW_2011.growth,
      growthPct: SW_2011.growthPct,
      rotationPct: SW_2011.rotationPct,
      fteEnd: activeFteTenThousandths / 10_000,
    });
  });

  test('reproduces the worked SW 2011 outflow table, new method', async () => {
    const res = await service.request('GET', '/v1/statistics/outflow?year=2011', { roles: ['analyst'] });
    expect(res.body.method).toBe('including-ibo');
    const sw = res.body.rows.find((r: { programme: string }) => r.programme === 'SW');
    expect(sw).toEqual({
      programme: 'SW',
      reach: SW_2011.reach,
      exited: SW_2011.outflow,
      exitedPct: SW_2011.exitedPct,
      toWork: SW_2011.toWorkIncludingIbo,
      toWorkPctOfExited: SW_2011.toWorkPctOfExited,
      toWorkPctOfReach: SW_2011.toWorkPctOfReach,
      pending: 0,
    });
  });

  test('the old method counts employment only', async () => {
    const res = await service.request('GET', '/v1/statistics/outflow?year=2011&method=employment-only', { roles: ['analyst'] });
    const sw = res.body.rows.find((r: { programme: string }) => r.programme === 'SW');
    expect(sw).toMatchObject({ toWork: SW_2011.toWorkEmploymentOnly, toWorkPctOfExited: 22.2, toWorkPctOfReach: 3.0 });
  });

  test('rows: programmes, then INVOEG adding its segments, then TOTAL adding all programmes', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?year=2011', { roles: ['analyst'] });
    expect(res.body.rows.map((r: { programme: string }) => r.programme)).toEqual(['SW', 'INVOEG_DC', 'INVOEG_NDC', 'INVOEG', 'TOTAL']);
    const row = (name: string) => res.body.rows.find((r: { programme: string }) => r.programme === name);
    expect(row('INVOEG')).toMatchObject({ stockStart: 0, inflow: 6, outflow: 2, stockEnd: 4, growthPct: null, rotationPct: null, fteEnd: 2.4 });
    expect(row('TOTAL')).toMatchObject({ stockStart: 4213, inflow: 859, outflow: 679, stockEnd: 4393 });
  });

  test('a placement that ended on 31 December is not in the next year’s stock', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?year=2010', { roles: ['analyst'] });
    const sw = res.body.rows.find((r: { programme: string }) => r.programme === 'SW');
    expect(sw).toMatchObject({ stockStart: 0, inflow: SW_2011.stockStart + 5, outflow: 5, stockEnd: SW_2011.stockStart, growthPct: null });
  });

  test('a year without data has only an empty TOTAL row with null percentages', async () => {
    const res = await service.request('GET', '/v1/statistics/outflow?year=1999', { roles: ['analyst'] });
    expect(res.body.rows).toEqual([
      { programme: 'TOTAL', reach: 0, exited: 0, exitedPct: null, toWork: 0, toWorkPctOfExited: null, toWorkPctOfReach: null, pending: 0 },
    ]);
  });

  test('Accept: text/csv returns the same table as CSV', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?year=2011', { roles: ['analyst'], headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (res.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('programme,stockStart,inflow,outflow,stockEnd,growth,growthPct,rotationPct,fteEnd');
    expect(lines[1]).toMatch(/^SW,4213,853,677,4389,176,4.2,16.1,/);
    expect(lines.find((l) => l.startsWith('INVOEG,'))).toBe('INVOEG,0,6,2,4,4,,,2.4');
  });

  test('a series 2010–2011 holds each year’s rows, the worked example among them', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?from=2010&to=2011', { roles: ['analyst'] });
    expect(res.status).toBe(200);
    const sw = (year: number) => res.body.rows.find((r: { programme: string; year: number }) => r.programme === 'SW' && r.year === year);
    expect(sw(2011)).toMatchObject({
      year: 2011,
      stockStart: SW_2011.stockStart,
      inflow: SW_2011.inflow,
      outflow: SW_2011.outflow,
      stockEnd: SW_2011.stockEnd,
      growthPct: SW_2011.growthPct,
      rotationPct: SW_2011.rotationPct,
    });
    expect(sw(2010).stockEnd).toBe(sw(2011).stockStart);
  });

  test('the worked example as CSV for Excel with Belgian settings', async () => {
    const res = await service.request('GET', '/v1/statistics/outflow?year=2011&format=csv&dialect=excel-nl', { roles: ['analyst'] });
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="outflow-2011-including-ibo.csv"');
    const lines = (res.body as string).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Programma;Bereik;Uitgestroomd;Uitgestroomd % van bereik;Uitstroom naar werk;Naar werk % van uitgestroomd;Naar werk % van bereik;Opvolging nog niet gekend',
    );
    expect(lines[1]).toBe(`SW;${SW_2011.reach};${SW_2011.outflow};13,4;${SW_2011.toWorkIncludingIbo};30,3;4;0`);
  });

  test('minCell on the worked year: the small insertion segments are withheld, and so is what would give them away', async () => {
    const res = await service.request('GET', '/v1/statistics/flows?year=2011&minCell=10', { roles: ['analyst'] });
    const rows: Record<string, number | null | string | string[]>[] = res.body.rows;
    for (const r of rows) {
      for (const field of ['stockStart', 'inflow', 'outflow', 'stockEnd']) {
        const value = r[field] as number | null;
        expect([r.programme, field, value === null || value === 0 || value >= 10]).toEqual([r.programme, field, true]);
      }
    }
    const row = (name: string) => rows.find((r) => r.programme === name)!;
    expect(row('INVOEG_DC')).toMatchObject({ stockEnd: null, fteEnd: null });
    expect(row('INVOEG')).toMatchObject({ inflow: null, stockEnd: null });
    // The worked year holds SW and the insertion segments only: TOTAL = SW + INVOEG and INVOEG = DC + NDC.
    // A withheld count may not follow from published ones through either sum (zeros are never withheld).
    for (const field of ['stockStart', 'inflow', 'outflow', 'stockEnd']) {
      const value = (name: string) => row(name)[field] as number | null;
      if (value('INVOEG') === null) expect([field, value('SW') === null || value('TOTAL') === null]).toEqual([field, true]);
      for (const [segment, other] of [
        ['INVOEG_DC', 'INVOEG_NDC'],
        ['INVOEG_NDC', 'INVOEG_DC'],
      ]) {
        if (value(segment) === null) expect([field, segment, value(other) === null || value('INVOEG') === null]).toEqual([field, segment, true]);
      }
    }
    expect(res.body.suppression).toMatchObject({ method: expect.stringMatching(/^(optimal|heuristic)$/) });
  });

  test('only analysts, only valid queries', async () => {
    expect((await service.request('GET', '/v1/statistics/flows?year=2011', { roles: ['coach', 'screener', 'admin'] })).status).toBe(403);
    expect((await service.request('GET', '/v1/statistics/flows?year=2011')).status).toBe(401);
    for (const query of ['', '?year=abc', '?year=20111', '?year=2011.5', '?year=2011&method=magic', '?year=2011&waitFor=nope']) {
      const path = query.includes('method') ? '/v1/statistics/outflow' : '/v1/statistics/flows';
      const res = await service.request('GET', `${path}${query}`, { roles: ['analyst'] });
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
  });

  test('waitFor: a command’s position is visible in the next read', async () => {
    const { workerId } = await aWorkerPlacedIn(service, 'LDE', '2011-05-02', 1);
    const exit = await service.request('POST', `/v1/workers/${workerId}/exits`, { roles: ['coach'], body: { date: '2011-06-01', reason: 'death' } });
    const res = await service.request('GET', `/v1/statistics/outflow?year=2011&waitFor=${exit.body.position}`, { roles: ['analyst'] });
    expect(res.status).toBe(200);
    // A death exit counts as exited but is never pending and never at work.
    expect(res.body.rows.find((r: { programme: string }) => r.programme === 'LDE')).toMatchObject({ reach: 1, exited: 1, toWork: 0, pending: 0 });
    const never = await service.request('GET', '/v1/statistics/flows?year=2011&waitFor=99999999999-1', { roles: ['analyst'] });
    expect(never.status).toBe(503);
    expect(never.headers.get('retry-after')).toBe('1');
  }, 20_000);
});
