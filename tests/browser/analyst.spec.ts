import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectAccessible, expectAccessibleAtBothWidths, test } from './support/fixtures.js';
import type { BrowserService } from './support/service.js';
import { trajectory } from './support/seed.js';

const YEARS = [2021, 2022, 2023, 2024];
let seeded: Promise<string> | undefined;

/**
 * Trajectories that exit in each year, most of them to work; once per service. At test organisation
 * A (Ghent, Oost-Vlaanderen) in MAATWERK and SW, at B (Antwerp) in MAATWERK: two organisations in
 * two provinces, with shares of outflow to work that differ (A's MAATWERK 75 %, B's 66.7 %).
 */
function seed(service: BrowserService): Promise<string> {
  seeded ??= (async () => {
    let position = '';
    for (const year of YEARS) {
      for (const [programme, count, organisation] of [
        ['MAATWERK', 4, 'a'],
        ['SW', 2, 'a'],
        ['MAATWERK', 3, 'b'],
      ] as const) {
        for (let i = 0; i < count; i++) {
          const start = `${year - 1}-${organisation === 'a' ? '03' : '04'}-0${i + 1}`;
          const exit = `${year}-${organisation === 'a' ? '02' : '03'}-1${i}`;
          position = await trajectory(
            service,
            'coach-stats',
            programme,
            start,
            exit,
            i === 0 ? 'not-employed' : 'employed',
            service.organisations[organisation],
          );
        }
      }
    }
    return position;
  })();
  return seeded;
}

/** The small-cell help text's sentences for these counts, as the Dutch page words them. */
function suppressionTexts(suppression: { method: string; primary: number; complementary: number }) {
  const { primary, complementary, method } = suppression;
  return [
    primary === 0 ? 'Geen enkel aantal' : primary === 1 ? '1 cel is verborgen' : `${primary} cellen zijn verborgen`,
    complementary === 0
      ? 'Er hoefde geen ander cijfer weg'
      : complementary === 1
        ? 'Nog 1 ander cijfer is weggelaten'
        : `Nog ${complementary} andere cijfers zijn weggelaten`,
    method === 'optimal' ? 'Methode: optimaal' : 'Methode: heuristisch',
  ];
}

/** The page's own request to a statistics table and its JSON answer. */
async function answerOf(page: Page, table: 'flows' | 'outflow', matching: (url: URL) => boolean, action: () => Promise<unknown>) {
  const response = page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === `/v1/statistics/${table}` && matching(url);
  });
  await action();
  const answered = await response;
  expect(answered.status()).toBe(200);
  return { url: new URL(answered.url()), body: await answered.json() };
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
    await expect(suppressed.first().locator('[title]')).toHaveAttribute(
      'title',
      'Niet getoond: een klein aantal (minder dan 3), of een cijfer waaruit een klein aantal te berekenen is',
    );
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
    // a publication goes outside: the page proposes minCell 5, and says so when the analyst leaves it out
    const publicationMinCell = page.getByLabel('Kleine cellen verbergen in de publicatie onder');
    await expect(publicationMinCell).toHaveValue('5');
    await expect(page.getByTestId('publish-without')).toHaveCount(0);
    await publicationMinCell.fill('');
    await expect(page.getByTestId('publish-without')).toHaveText(
      'U publiceert zonder kleine aantallen te verbergen. Een publicatie gaat naar buiten; 5 wordt aangeraden.',
    );
    await page.getByTestId('publish-outflow').click();
    await expect(page).toHaveURL(/#\/publications\/[0-9a-f-]{36}$/);
    const publicationId = page.url().split('/').at(-1)!;
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Publicatie: Uitstroom naar werk, 2023, nieuwe methode (IBO telt mee)');
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
  test('tables by organisation and province with readable groups; the chart follows a chosen group; small cells explained with the counts the service gave', async ({
    page,
    service,
    loginAs,
  }) => {
    await caughtUp(service, await seed(service));
    await loginAs('analyst-an', ['analyst']);
    await page.goto(`${service.url}/#/statistics?mode=range&from=2021&to=2024`);
    await expect(page.getByTestId('stats-flows').locator('tbody tr').first()).toBeVisible();

    await page.getByLabel('Opsplitsen per').selectOption({ label: 'organisatie' });
    await page.getByRole('button', { name: 'Tonen' }).click();
    await expect(page).toHaveURL(/by=organisation/);
    const analyst = service.token('analyst-an', ['analyst']);
    const byOrganisation = (await service.api(analyst, 'GET', '/v1/statistics/flows?from=2021&to=2024&by=organisation')).body;
    const table = page.getByTestId('stats-flows');
    await expect(table.locator('tbody tr')).toHaveCount(byOrganisation.rows.length);
    // one row header per row names its group: the whole table first, then each organisation by name
    const groupHeaders = table.locator('tbody tr > th:first-child');
    await expect(groupHeaders.first()).toHaveText('alle (totaal)');
    const shown = new Set(await groupHeaders.allInnerTexts());
    expect([...shown].sort()).toEqual(['LDE Antwerpen Werkt', 'Maatwerkbedrijf De Schakel', 'alle (totaal)']);
    expect(new Set(byOrganisation.rows.map((row: any) => row.group))).toEqual(new Set(['ALL', service.organisations.a, service.organisations.b]));
    await expect(page.getByTestId('csv-flows')).toHaveAttribute('href', /by=organisation.*dialect=excel-nl|dialect=excel-nl.*by=organisation/);
    await expect(page.getByTestId('xlsx-outflow')).toHaveAttribute('href', /by=organisation/);

    // the chart: ALL first; another group's outflow over the years on choosing it
    const chart = page.getByTestId('outflow-chart');
    await expect(chart).toHaveAttribute('aria-label', 'Uitstroom naar werk per programma (% van de uitgestroomden): alle (totaal)');
    const series = (await service.api(analyst, 'GET', '/v1/statistics/outflow?from=2021&to=2024&by=organisation')).body;
    const expectedRows = (group: string) =>
      YEARS.map((year) => {
        const rows = series.rows.filter((row: any) => row.group === group && row.year === year && row.programme !== 'INVOEG');
        return [
          String(year),
          ...rows.map((row: any) => (typeof row.toWorkPctOfExited === 'number' ? `${row.toWorkPctOfExited.toLocaleString('nl-BE')} %` : '—')),
        ];
      });
    const chartRows = async () =>
      Promise.all((await page.getByTestId('chart-data').locator('tbody tr').all()).map((row) => row.locator('th, td').allInnerTexts()));
    await expect.poll(chartRows).toEqual(expectedRows('ALL'));
    await page.getByLabel('Groep in de grafiek').selectOption({ label: 'LDE Antwerpen Werkt' });
    await expect(chart).toHaveAttribute('aria-label', 'Uitstroom naar werk per programma (% van de uitgestroomden): LDE Antwerpen Werkt');
    await expect(page.getByTestId('chart-data').locator('caption')).toHaveText('Cijfers bij de grafiek: LDE Antwerpen Werkt');
    await expect.poll(chartRows).toEqual(expectedRows(service.organisations.b));
    expect(expectedRows(service.organisations.b)[0]).toContain('66,7 %');
    await expect(chart).toHaveAttribute('data-state', 'drawn');
    await expectAccessibleAtBothWidths(page);

    // small cells: the help text gives the counts of the page's own answer, and withheld cells say why
    await page.goto(`${service.url}/#/statistics?mode=year&year=2024&by=organisation`);
    await expect(page.getByTestId('stats-outflow').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('suppression-outflow')).toHaveCount(0);
    const outflow = await answerOf(
      page,
      'outflow',
      (url) => url.searchParams.get('minCell') === '5' && url.searchParams.has('year'),
      async () => {
        await page.getByLabel('Kleine cellen onderdrukken onder').fill('5');
        await page.getByRole('button', { name: 'Tonen' }).click();
      },
    );
    expect(outflow.url.searchParams.get('by')).toBe('organisation');
    const { suppression } = outflow.body;
    expect(suppression.primary).toBeGreaterThan(0);
    const note = page.getByTestId('suppression-outflow');
    await expect(note).toHaveAttribute('data-primary', String(suppression.primary));
    await expect(note).toHaveAttribute('data-complementary', String(suppression.complementary));
    for (const text of suppressionTexts(suppression)) await expect(note).toContainText(text);
    await expect(note).toContainText('Kleine aantallen beschermd (minder dan 5)');
    await expect(note).toContainText('(1 tot 4)');
    const withheld = page.getByTestId('stats-outflow').locator('td[data-suppressed="true"]');
    await expect(withheld.first()).toBeVisible();
    await expect(withheld.first()).toHaveAttribute('aria-describedby', /.+/);
    await expect(page.getByText('— = niet getoond om kleine aantallen te beschermen.').first()).toBeVisible();
    await expectAccessibleAtBothWidths(page);

    // by province: the provinces' Dutch names
    await page.goto(`${service.url}/#/statistics?mode=year&year=2024&by=province`);
    const provinces = page.getByTestId('stats-flows').locator('tbody tr > th:first-child');
    await expect(provinces.first()).toHaveText('alle (totaal)');
    await expect.poll(async () => [...new Set(await provinces.allInnerTexts())].sort()).toEqual(['Antwerpen', 'Oost-Vlaanderen', 'alle (totaal)']);

    // by profile: the markers in words
    await page.goto(`${service.url}/#/statistics?mode=year&year=2024&by=profile`);
    const profiles = page.getByTestId('stats-flows').locator('tbody tr > th:first-child');
    await expect(profiles.first()).toHaveText('alle (totaal)');
    await expect(profiles.filter({ hasText: 'arbeidshandicap + kortgeschoold' }).first()).toBeVisible();
  });

  test('a grouped table published with the proposed minCell 5 shows its groups by name', async ({ page, service, loginAs }) => {
    await caughtUp(service, await seed(service));
    await loginAs('analyst-an', ['analyst']);
    await page.goto(`${service.url}/#/statistics?mode=year&year=2022&by=organisation`);
    await expect(page.getByTestId('stats-flows').locator('tbody tr').first()).toBeVisible();
    await page.getByTestId('publish-flows').click();
    await expect(page).toHaveURL(/#\/publications\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Publicatie: In- en uitstroom, 2022, Opsplitsen per organisatie, minCell 5');
    const groups = page.getByTestId('publication-rows').locator('tbody tr > th:first-child');
    await expect
      .poll(async () => [...new Set(await groups.allInnerTexts())].sort())
      .toEqual(['LDE Antwerpen Werkt', 'Maatwerkbedrijf De Schakel', 'alle (totaal)']);
  });

  test('an organisation administrator sees their own organisation only, small cells withheld from 5', async ({ page, service, loginAs }) => {
    await caughtUp(service, await seed(service));
    const flows = page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/statistics/flows');
    await loginAs('org-admin-a', ['org-admin']);
    // their first page is their organisation's workers; the figures are one click away
    await expect(page).toHaveURL(/#\/caseload$/);
    await page.getByRole('link', { name: 'Statistieken' }).click();
    const asked = new URL((await flows).url());
    expect(asked.searchParams.get('organisation')).toBe(service.organisations.a);
    expect(asked.searchParams.get('minCell')).toBe('5');
    expect(asked.searchParams.has('by')).toBe(false);

    await page.goto(`${service.url}/#/statistics?mode=range&from=2021&to=2024`);
    await expect(page.getByText('Cijfers van uw organisatie: Maatwerkbedrijf De Schakel.')).toBeVisible();
    // no split to choose, no publishing: neither is theirs to read or do
    await expect(page.getByLabel('Opsplitsen per')).toHaveCount(0);
    await expect(page.getByTestId('publish-flows')).toHaveCount(0);
    const table = page.getByTestId('stats-flows');
    await expect(table.locator('tbody tr').first()).toBeVisible();
    const own = (
      await service.api(service.token('org-admin-a', ['org-admin']), 'GET', `/v1/statistics/flows?from=2021&to=2024&organisation=${service.organisations.a}`)
    ).body;
    expect(own.minCell).toBe(5);
    await expect(table.locator('tbody tr')).toHaveCount(own.rows.length);
    expect(new Set(await table.locator('tbody tr > th:first-child').allInnerTexts())).toEqual(new Set(['Maatwerkbedrijf De Schakel']));
    await expect(page.locator('main')).not.toContainText('LDE Antwerpen Werkt');
    const note = page.getByTestId('suppression-flows');
    for (const text of suppressionTexts(own.suppression)) await expect(note).toContainText(text);
    await expect(page.getByTestId('outflow-chart')).toHaveAttribute('aria-label', /: Maatwerkbedrijf De Schakel$/);
    await expect(page.getByLabel('Groep in de grafiek')).toHaveCount(0);
    await expectAccessibleAtBothWidths(page);
  });
});
