import { readFileSync } from 'node:fs';
import { historyCsv, type HistoryRow } from '../fixtures/history.js';
import { TEST_ENTERPRISE } from '../support/directory.js';
import { expect, expectAccessibleAtBothWidths, test } from './support/fixtures.js';
import { freshInsz } from './support/seed.js';

const COACH = 'coach-import';
const registration = (insz: string, givenName: string, date: string): HistoryRow => ({
  insz,
  givenName,
  familyName: 'Historiek',
  educationLevel: 'low',
  migrationBackground: 'nee',
  disability: 'ja',
  socialAssistance: 'nee',
  coach: COACH,
  step: 'registration',
  date,
});

test.describe('history import', () => {
  test('an admin checks a file, imports it, sees a repeat answered with the earlier import, then a file with a bad row: its errors in Dutch and as CSV', async ({
    page,
    service,
    loginAs,
  }) => {
    await service.ensureCoach(COACH);
    const [first, second, bad] = [freshInsz(), freshInsz(), freshInsz()];
    const good = historyCsv([
      registration(first, 'Ans', '2011-01-10'),
      { insz: first, step: 'screening', date: '2011-01-17', advice: 'supported-employment', programme: 'SW' },
      registration(second, 'Bart', '2012-05-02'),
      { insz: first, step: 'placement', date: '2011-02-14', programme: 'SW', enterpriseId: TEST_ENTERPRISE, fte: '0,8' },
      { insz: second, step: 'screening', date: '2012-05-09', advice: 'regular-work' },
    ]);

    await loginAs('admin-import', ['admin']);
    await page.getByRole('navigation').getByRole('link', { name: 'Historiek importeren' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Historiek importeren' })).toBeVisible();
    // A careful admin checks first: the dry run is on by default.
    await expect(page.getByLabel('Alleen controleren (niets schrijven)')).toBeChecked();
    await expectAccessibleAtBothWidths(page);

    const file = page.getByLabel('Bestand (CSV, XLSX of NDJSON)');
    await file.setInputFiles({ name: 'historiek.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Bestand controleren' }).click();
    const result = page.getByTestId('import-result');
    await expect(result).toBeFocused();
    await expect(page.getByTestId('import-outcome')).toHaveText(
      'Controle klaar: 5 rijen van 2 personen, zonder fouten. Er is niets geschreven. Haal ‘Alleen controleren’ weg om dit bestand te importeren.',
    );
    await expect(page.getByTestId('import-phase')).toHaveText('klaar');
    await expect(page.getByRole('progressbar', { name: 'Voortgang: klaar' })).toHaveAttribute('value', /\d+/);
    const screener = service.token('screener-import', ['screener']);
    expect((await service.api(screener, 'GET', `/v1/workers?insz=${first}`)).body.items).toEqual([]);

    await page.getByLabel('Alleen controleren (niets schrijven)').uncheck();
    await page.getByRole('button', { name: 'Importeren', exact: true }).click();
    await expect(page.getByTestId('import-outcome')).toHaveText('Import klaar: 2 personen met 5 rijen zijn geïmporteerd.');
    await expect(result).toBeFocused();
    await expectAccessibleAtBothWidths(page);
    await expect
      .poll(async () => (await service.api(screener, 'GET', `/v1/workers?insz=${first}`)).body.items.map((w: { givenName: string }) => w.givenName))
      .toEqual(['Ans']);

    // The same bytes again: nothing is written, the earlier import is shown.
    await page.getByRole('button', { name: 'Importeren', exact: true }).click();
    await expect(result.getByRole('status').first()).toHaveText(
      'Dit bestand werd al eerder geïmporteerd (dezelfde inhoud): er is niets opnieuw geschreven. Hieronder ziet u die eerdere import.',
    );
    await expect(page.getByTestId('import-outcome')).toHaveText('Import klaar: 2 personen met 5 rijen zijn geïmporteerd.');

    // A placement without a screening: row 4 (the header is row 1) breaks a rule; nothing is written.
    const wrong = historyCsv([
      registration(bad, 'Cas', '2013-03-01'),
      registration(freshInsz(), 'Dirk', '2013-03-02'),
      { insz: bad, step: 'placement', date: '2013-04-01', programme: 'SW', enterpriseId: TEST_ENTERPRISE, fte: '1' },
    ]);
    await file.setInputFiles({ name: 'fout.csv', mimeType: 'text/csv', buffer: Buffer.from(wrong) });
    await page.getByRole('button', { name: 'Importeren', exact: true }).click();
    await expect(page.getByTestId('import-outcome')).toHaveText(
      'Niet geïmporteerd: het bestand bevat fouten (aantal: 1). Verbeter de rijen hieronder en stuur het bestand opnieuw.',
    );
    await expect(page.getByTestId('import-errors')).toHaveText('1');
    const errorRow = page.getByTestId('import-error-list').locator('tbody tr');
    await expect(errorRow).toHaveCount(1);
    await expect(errorRow.locator('th')).toHaveText('4');
    await expect(errorRow).toContainText(bad.slice(0, 6));
    await expect(errorRow).not.toContainText(bad);
    await expect(errorRow).toContainText('Voor deze plaatsing is een screening nodig met een advies dat naar dit programma leidt.');
    await expectAccessibleAtBothWidths(page);
    expect((await service.api(screener, 'GET', `/v1/workers?insz=${bad}`)).body.items).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Foutenlijst downloaden (CSV)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^import-[0-9a-f-]{36}-errors\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('row,insz,field,code,rule,message');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^4,${bad.slice(0, 6)},[^,]*,rule,placement-needs-advice,`));
    expect(csv).not.toContain(bad);

    // In English too.
    await page.getByLabel('Taal').selectOption('en');
    await expect(page.getByTestId('import-outcome')).toHaveText(
      'Not imported: the file has errors (count: 1). Correct the rows below and send the file again.',
    );
  });
});
