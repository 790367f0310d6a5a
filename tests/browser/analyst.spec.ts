import { readFileSync } from 'node:fs';
import { expect, expectAccessible, test } from './support/fixtures.js';
import type { BrowserService } from './support/service.js';
import { trajectory } from './support/seed.js';

const YEARS = [2021, 2022, 2023, 2024];
let seeded: Promise<string> | undefined;

/** Trajectories in MAATWERK and SW that exit in each year, most of them to work; once per service. */
function seed(service: BrowserService): Promise<string> {
  seeded ??= (async () => {
    let position = '';
    for (const year of YEARS) {
      for (const [programme, count] of [
        ['MAATWERK', 4],
        ['SW', 2],
      ] as const) {
        for (let i = 0; i < count; i++) {
          position = await trajectory(service, 'coach-stats', programme, `${year - 1}-03-0${i + 1}`, `${year}-02-1${i}`, i === 0 ? 'not-employed' : 'employed');
        }
      }
    }
    return position;
  })();
  return seeded;
}

async function caughtUp(service: BrowserService, position: string) {
  const answer = await service.api(service.token('analyst-an', ['analyst']), 'GET', `/v1/statistics/outflow?from=2021&to=2024&waitFor=${position}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

test.describe('analyst', () => {
  test('flows and outflow for a range, the chart of outflow to work per programme (lazy ECharts, canvas with data), method switch', async ({
    page,
    service,
    loginAs,
  }) => {
    const series = await caughtUp(service, await seed(service));
    const chartRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('outflow-chart')) chartRequests.push(request.url());
    });
    await loginAs('analyst-an', ['analyst']);
    await expect(page).toHaveURL(/#\/statistics$/);
    await page.goto(`${service.url}/#/statistics?mode=range&from=2021&to=2024&method=including-ibo`);
    const outflow = page.getByTestId('stats-outflow');
    await expect(outflow.locator('tbody tr')).toHaveCount(series.rows.length);
    await expect(outflow.locator('thead')).toContainText('Jaar');
    await expect(page.getByTestId('stats-flows').locator('tbody tr').first()).toBeVisible();

    const chart = page.getByTestId('outflow-chart');
    await expect(chart).toHaveAttribute('data-state', 'drawn');
    // one point per programme line (INVOEG aside) and year with a share
    const expected = series.rows.filter((row: any) => row.programme !== 'INVOEG' && typeof row.toWorkPctOfExited === 'number').length;
    expect(expected).toBeGreaterThanOrEqual(YEARS.length * 2);
    await expect(chart).toHaveAttribute('data-points', String(expected));
    expect(chartRequests.length).toBeGreaterThan(0);
    const painted = await chart
      .locator('canvas')
      .first()
      .evaluate((canvas: HTMLCanvasElement) => {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && !(data[i] > 240 && data[i + 1] > 240 && data[i + 2] > 240)) coloured++;
        return coloured;
      });
    expect(painted).toBeGreaterThan(500);
    // the tooltip is drawn on the canvas too (an HTML tooltip would need inline styles, which the CSP refuses)
    await chart.hover({ position: { x: 200, y: 150 } });
    await expectAccessible(page);

    const request = page.waitForRequest((r) => r.url().includes('/v1/statistics/outflow?') && r.url().includes('method=employment-only'));
    await page.getByLabel('Methode uitstroom').selectOption('employment-only');
    await page.getByRole('button', { name: 'Tonen' }).click();
    await request;
    await expect(page).toHaveURL(/method=employment-only/);
    await expect(chart).toHaveAttribute('data-state', 'drawn');
    const old = await service.api(service.token('analyst-an', ['analyst']), 'GET', '/v1/statistics/outflow?from=2021&to=2024&method=employment-only');
    await expect(outflow.locator('tbody tr')).toHaveCount(old.body.rows.length);
    await expect(outflow.locator('tbody tr').first()).toContainText(String(old.body.rows[0].reach));
  });

  test('small cells are shown as "—" with a title; downloads are CSV (excel-nl) and XLSX', async ({ page, service, loginAs }) => {
    await caughtUp(service, await seed(service));
    await loginAs('analyst-an', ['analyst']);
    await page.goto(`${service.url}/#/statistics?mode=year&year=2024&minCell=3`);
    const outflow = page.getByTestId('stats-outflow');
    const row = outflow.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'SW', exact: true }) });
    const suppressed = row.locator('td[data-suppressed="true"]');
    await expect(suppressed.first()).toBeVisible();
    await expect(suppressed.first().locator('[title]')).toHaveAttribute('title', 'Onderdrukt: kleine cel (minder dan 3)');
    await expect(suppressed.first()).toContainText('—');

    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('csv-outflow').click();
    const csv = await csvDownload;
    expect(csv.suggestedFilename()).toMatch(/^outflow-2024.*\.csv$/);
    const csvBytes = readFileSync(await csv.path());
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvBytes.toString('utf8')).toContain(';');

    const xlsxDownload = page.waitForEvent('download');
    await page.getByTestId('xlsx-flows').click();
    const xlsx = await xlsxDownload;
    expect(xlsx.suggestedFilename()).toMatch(/^flows-2024.*\.xlsx$/);
    const xlsxBytes = readFileSync(await xlsx.path());
    expect(xlsxBytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  });

  test('publish a table; the publication page shows the frozen figures and, after a late change, what changed', async ({ page, service, loginAs }) => {
    await caughtUp(service, await seed(service));
    await loginAs('analyst-an', ['analyst']);
    await page.goto(`${service.url}/#/statistics?mode=year&year=2023`);
    await expect(page.getByTestId('stats-outflow').locator('tbody tr').first()).toBeVisible();
    await page.getByTestId('publish-outflow').click();
    await expect(page).toHaveURL(/#\/publications\/[0-9a-f-]{36}$/);
    const publicationId = page.url().split('/').at(-1)!;
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Publicatie: Uitstroom naar werk, 2023');
    await expect(page.getByTestId('publication-rows').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByText('De cijfers zijn sinds de publicatie niet gewijzigd.')).toBeVisible();
    await expectAccessible(page);

    // one more exit in 2023, to work: today's figures differ from the published ones
    const position = await trajectory(service, 'coach-stats', 'MAATWERK', '2022-05-01', '2023-06-30', 'employed');
    await caughtUp(service, position);
    await page.reload();
    await expect(page.getByTestId('publication-changes').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('publication-changes')).toContainText('MAATWERK');

    await page.getByRole('link', { name: 'Publicaties' }).click();
    await expect(page.getByTestId('publications').locator(`a[href="#/publications/${publicationId}"]`)).toBeVisible();
    await expectAccessible(page);
  });
});
