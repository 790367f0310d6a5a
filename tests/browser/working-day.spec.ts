import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';
import { expect, expectAccessibleAtBothWidths, test } from './support/fixtures.js';
import { pick, pickList } from './support/pick.js';
import { freshInsz, register, screen } from './support/seed.js';
import type { BrowserService } from './support/service.js';

/**
 * A working day, in Dutch, on a caseload of 200+ workers: a coach's, a screener's and an
 * admin's. Every page is checked with axe at desktop (1280 px) and phone (390 px) width.
 */

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const monthsAgo = (months: number) => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  return isoDay(d);
};
const dutch = (iso: string) => iso.split('-').reverse().join('/');

const FAMILY = ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Mertens', 'Willems', 'Claes', 'Goossens', 'Wouters', 'De Smet'];
const GIVEN = ['An', 'Bram', 'Chloé', 'Dirk', 'Eva', 'Filip', 'Greet', 'Hasan', 'Ilse', 'Jonas'];

/** 200 workers of `coach` with ordinary names, registered 20 at a time. */
async function seedCaseload(service: BrowserService, coach: string): Promise<string> {
  let position = '';
  for (let batch = 0; batch < 10; batch++) {
    const seeded = await Promise.all(
      Array.from({ length: 20 }, (_, i) => register(service, coach, { givenName: GIVEN[i % 10], familyName: `${FAMILY[batch]}-${i}` })),
    );
    position = seeded.at(-1)!.position;
  }
  return position;
}

test.describe('een werkdag', () => {
  test.describe.configure({ timeout: 240_000 });

  test('een coach: zoekt op naam, noteert een contact, plaatst, laat uitstromen, ziet de controle en het voorlopige resultaat, trekt in', async ({
    page,
    service,
    loginAs,
  }) => {
    const coach = 'coach-dag';
    const token = service.token(coach, ['coach']);
    await seedCaseload(service, coach);
    const fatima = await register(service, coach, { givenName: 'Fatima', familyName: 'El Amrani' });
    const screened = await screen(service, fatima.workerId, monthsAgo(12), 'MAATWERK');
    await service.api(token, 'GET', `/v1/workers?waitFor=${screened.position}`);

    await loginAs(coach, ['coach']);
    await expect(page.getByTestId('total')).toHaveText('201 werknemers gevonden');
    await expectAccessibleAtBothWidths(page);

    // Find her by the beginnings of her names.
    await page.getByLabel('Zoeken op naam').fill('fat el');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByTestId('total')).toHaveText('1 werknemers gevonden');
    await page.getByRole('link', { name: 'Fatima El Amrani' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Fatima El Amrani');
    await expect(page.getByTestId('phase')).toHaveText('Gescreend, niet in een plaatsing');
    // Only what can happen now: no exit, no return before a placement.
    await expect(page.getByTestId('form-exit')).toHaveCount(0);
    await expect(page.getByTestId('form-return')).toHaveCount(0);
    await expectAccessibleAtBothWidths(page);

    // A phone call, written down.
    const note = page.getByTestId('form-note');
    await note.getByLabel('Soort').selectOption('phone');
    await note.getByLabel('Tekst').fill('Gebeld: start volgende maand bij de werkgever.');
    await note.getByRole('button', { name: 'Opslaan' }).click();
    await expect(note.getByRole('status')).toHaveText(/^Opgeslagen/);
    await expect(note.locator('.result')).toBeFocused();
    await expect(page.getByTestId('notes')).toContainText('Gebeld: start volgende maand bij de werkgever.');
    await expect(page.getByTestId('notes')).toContainText('Telefoon op');

    // The placement, then the exit: the six-month check of an exit seven months ago is due.
    await service.setQueuePaused('follow-up-checks', true);
    try {
      const placement = page.getByTestId('form-placement');
      // the employer from the directory, checked with its list open
      await pickList(placement, 'Werkgever').fill('schakel');
      await pickList(placement, 'Werkgever').press('ArrowDown');
      await expect(pickList(placement, 'Werkgever')).toHaveAttribute('aria-activedescendant', /option-0$/);
      await expect(placement.getByRole('listbox')).toBeVisible();
      await expectAccessibleAtBothWidths(page);
      await expect(placement.getByRole('listbox')).toBeVisible();
      await pick(placement, 'Werkgever', TEST_ENTERPRISE, TEST_ORGANISATIONS.a.name, 'keyboard');
      await placement.getByLabel('Startdatum').fill(monthsAgo(10));
      await placement.getByLabel('VTE (0 < vte ≤ 1)').fill('0,8');
      await placement.getByRole('button', { name: 'Opslaan' }).click();
      await expect(page.getByTestId('phase')).toHaveText('In plaatsing');
      await expect(page.getByTestId('timeline')).toContainText(`Plaatsing gestart in MAATWERK bij ${TEST_ORGANISATIONS.a.name} (0,8 VTE)`);
      await expect(page.getByTestId('form-placement')).toHaveCount(0);

      const exit = page.getByTestId('form-exit');
      await exit.getByLabel('Datum').fill(monthsAgo(7));
      await exit.getByLabel('Reden').selectOption('resignation');
      await exit.getByRole('button', { name: 'Opslaan' }).click();
      await expect(page.getByTestId('phase')).toHaveText('Uitgestroomd');
      await expect(page.getByTestId('due')).toContainText('Zesmaandencontrole te laat');
      await expect(page.getByTestId('timeline')).toContainText(`${dutch(monthsAgo(7))} Uitstroom: eigen ontslag`);
      await expect(page.getByTestId('timeline')).not.toContainText('WorkerExited');
      await expectAccessibleAtBothWidths(page);

      await page.getByRole('link', { name: 'Opvolging' }).click();
      const checks = page.getByTestId('due-checks');
      await expect(checks.getByRole('link', { name: 'Fatima El Amrani' })).toBeVisible();
      await expect(checks.locator('tr.overdue')).toHaveCount(1);
      await expectAccessibleAtBothWidths(page);
    } finally {
      await service.setQueuePaused('follow-up-checks', false);
    }

    // The register finds nothing: a provisional result to review.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('due-provisional').getByRole('link', { name: 'Fatima El Amrani' })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await page.getByTestId('due-provisional').getByRole('link', { name: 'Fatima El Amrani' }).click();
    const result = page.getByTestId('form-follow-up');
    await result.getByLabel('Resultaat').selectOption('employed');
    await result.getByRole('button', { name: 'Opslaan' }).click();
    await expect(page.getByTestId('timeline')).toContainText('Zesmaandencontrole herzien: niet aan het werk werd aan het werk, door de coach');

    // The exit was a mistake: retracted, after a confirmation that names her.
    const retraction = page.getByTestId('form-retraction');
    await expect(retraction).toContainText('Laatste stap: Uitstroom: eigen ontslag');
    await retraction.getByLabel('Reden van de intrekking').fill('verkeerde werknemer');
    await retraction.getByRole('button', { name: 'Intrekken…' }).click();
    const confirm = retraction.getByRole('alertdialog');
    await expect(confirm).toContainText('Fatima El Amrani');
    await expect(confirm).toBeFocused();
    await expectAccessibleAtBothWidths(page);
    await confirm.getByRole('button', { name: 'Ja, deze stap intrekken' }).click();
    await expect(page.getByTestId('phase')).toHaveText('In plaatsing');
    await expect(page.getByTestId('timeline')).toContainText('Ingetrokken: Uitstroom');
  });

  test('een arbeidsonderzoeker: zoekt op INSZ, registreert met dat INSZ, screent met een indicatie die bewaard blijft', async ({ page, service, loginAs }) => {
    const position = await seedCaseload(service, 'coach-elders');
    await service.api(service.token('screener-dag', ['screener']), 'GET', `/v1/workers?waitFor=${position}`);
    const insz = freshInsz();
    await loginAs('screener-dag', ['screener']);
    await expectAccessibleAtBothWidths(page);

    // A wrong check digit: one Dutch message, at the field.
    const find = page.getByRole('region', { name: 'Zoeken op INSZ' });
    const wrong = insz.slice(0, 9) + String((Number(insz.slice(9)) + 1) % 100).padStart(2, '0');
    await find.getByLabel('INSZ (rijksregisternummer)').fill(wrong);
    await find.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByText('Dit INSZ bestaat niet: de controlecijfers kloppen niet. Controleer het nummer.')).toHaveCount(1);
    await expect(page.locator('body')).not.toContainText('check digits');

    await find.getByLabel('INSZ (rijksregisternummer)').fill(insz);
    await find.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByText('Geen werknemer met dit INSZ.')).toBeVisible();
    const form = page.getByTestId('form-register');
    await expect(form.getByLabel('INSZ (rijksregisternummer)')).toHaveValue(insz);
    await form.getByLabel('Voornaam').fill('Jonas');
    await form.getByLabel('Familienaam').fill('Vermeulen');
    await form.getByRole('button', { name: 'Opslaan' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Jonas Vermeulen');
    await expect(page.getByTestId('phase')).toHaveText('Geregistreerd, nog niet gescreend');
    await expectAccessibleAtBothWidths(page);

    const screening = page.getByTestId('form-screening');
    await screening.getByLabel('Advies').selectOption('supported-employment');
    await screening.getByLabel('Programma').selectOption('MAATWERK');
    await screening.getByLabel('Rendementsverlies (%)').fill('30');
    await screening.getByLabel('Loonpremie (%)').fill('70');
    await screening.getByRole('button', { name: 'Opslaan' }).click();
    await expect(screening.getByRole('alert')).toHaveText(/De loonpremie is 45 tot 60 % in maatwerk/);
    await screening.getByLabel('Loonpremie (%)').fill('50');
    await screening.getByRole('button', { name: 'Opslaan' }).click();
    await expect(page.getByTestId('support')).toHaveText('onvoorwaardelijke indicatie, rendementsverlies 30 %, loonpremie 50 %');
    await expect(page.getByTestId('phase')).toHaveText('Gescreend, niet in een plaatsing');
  });

  test('een beheerder: wist op INSZ met een bevestiging die de persoon noemt, en leest de audittrail', async ({ page, service, loginAs }) => {
    await seedCaseload(service, 'coach-wis');
    const insz = freshInsz();
    const screener = service.token('screener-wis', ['screener']);
    const created = await service.api(screener, 'POST', '/v1/workers', {
      insz,
      coach: 'coach-wis',
      educationLevel: 'medium',
      migrationBackground: false,
      disability: false,
      socialAssistance: false,
      givenName: 'Els',
      familyName: 'Wuyts',
    });
    expect(created.status).toBe(201);

    await loginAs('admin-dag', ['admin']);
    await page.getByRole('link', { name: 'Persoonsgegevens wissen' }).click();
    await page.getByLabel('INSZ of naam').fill(insz);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByTestId('erasure-found')).toContainText('Els Wuyts');
    await page.getByTestId('erasure-found').getByRole('button', { name: 'Wissen…' }).click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText('Els Wuyts');
    await expect(confirm).toContainText(insz);
    await expectAccessibleAtBothWidths(page);
    await confirm.getByRole('button', { name: 'Ja, definitief wissen' }).click();
    await expect(page.getByRole('status')).toHaveText('De persoonsgegevens van Els Wuyts zijn gewist.');
    const read = await service.api(screener, 'GET', `/v1/workers/${created.body.workerId}`);
    expect([read.body.insz, read.body.givenName, read.body.familyName]).toEqual([null, null, null]);

    await page.getByRole('link', { name: 'Audittrail' }).click();
    await page.getByLabel('Werknemer (id)').fill(created.body.workerId);
    await page.getByRole('button', { name: 'Filteren' }).click();
    const rows = page.getByTestId('audit').locator('tbody tr');
    await expect(rows.filter({ hasText: 'gewist' })).toHaveCount(1);
    await expect(rows.first()).toContainText(/\d\d\/\d\d\/\d{4} \d\d:\d\d CES?T/);
    await expectAccessibleAtBothWidths(page);
  });
});
