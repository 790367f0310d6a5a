import { expect, expectAccessible, test } from './support/fixtures.js';
import { pick, pickList } from './support/pick.js';
import { freshInsz } from './support/seed.js';
import { TEST_ORGANISATIONS } from '../support/directory.js';

test.describe('screener', () => {
  test('registers a person, records a screening with an indication, finds them by INSZ, and a second registration names the first', async ({
    page,
    service,
    loginAs,
  }) => {
    const insz = freshInsz();
    await service.ensureCoach('coach-jan');
    await loginAs('screener-sofie', ['screener']);
    await expect(page).toHaveURL(/#\/screening$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Zoeken en registreren' })).toBeVisible();
    await expectAccessible(page);

    const form = page.getByTestId('form-register');
    await form.getByLabel('INSZ (rijksregisternummer)').fill(insz);
    await form.getByLabel('Voornaam').fill('Lotte');
    await form.getByLabel('Familienaam').fill('Peeters');
    await form.getByLabel('Opleidingsniveau').selectOption('low');
    await form.getByLabel('Arbeidshandicap').check();
    // the coach: first the organisation, then one of its coaches
    await expect(pickList(form, 'Coach (optioneel)')).toBeDisabled();
    await pick(form, 'Organisatie van de coach', 'schakel', TEST_ORGANISATIONS.a.name, 'keyboard');
    await pick(form, 'Coach (optioneel)', 'jan', 'coach-jan', 'keyboard');
    await form.getByRole('button', { name: 'Opslaan' }).click();
    await expect(page).toHaveURL(/#\/workers\/[0-9a-f-]{36}$/);
    const workerId = page.url().split('/').at(-1)!;
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Lotte Peeters');
    await expectAccessible(page);

    const screening = page.getByTestId('form-screening');
    await screening.getByLabel('Datum').fill('2025-01-10');
    await screening.getByLabel('Advies').selectOption('supported-employment');
    await screening.getByLabel('Programma').selectOption('MAATWERK');
    await screening.getByLabel('Voorwaardelijk').check();
    await screening.getByLabel('Geldig tot').fill('2027-01-09');
    await screening.getByLabel('Rendementsverlies (%)').fill('40');
    await screening.getByLabel('Werkvloeropleiding').check();
    await screening.getByLabel('Werkvloerbegeleiding').selectOption('medium');
    await screening.getByLabel('Loonpremie (%)').fill('70');
    await screening.getByRole('button', { name: 'Opslaan' }).click();
    // 70 % is out of range in MAATWERK: the rule, next to the form
    await expect(screening.getByRole('alert')).toHaveAttribute('data-rule', 'wage-premium-out-of-range');
    await expect(screening.getByRole('alert')).toContainText('De loonpremie is 45 tot 60 % in maatwerk');
    await screening.getByLabel('Loonpremie (%)').fill('50');
    await screening.getByRole('button', { name: 'Opslaan' }).click();
    await expect(screening.getByRole('status')).toHaveText(/^Opgeslagen \(versie \d+\)\.$/);
    await expect(page.getByTestId('timeline')).toContainText('Screening: ondersteunde tewerkstelling (MAATWERK)');
    await expect(page.getByText('10/01/2025: ondersteunde tewerkstelling (MAATWERK)')).toBeVisible();

    const read = await service.api(service.token('screener-sofie', ['screener']), 'GET', `/v1/workers/${workerId}`);
    expect(read.body.latestScreening.indication).toEqual({
      conditional: true,
      validUntil: '2027-01-09',
      productivityLossPct: 40,
      supportPackage: { workFloorTraining: true, workFloorCoaching: 'medium', wagePremiumPct: 50, workplaceAdaptation: false },
    });
    expect(read.body.coach).toBe('coach-jan');

    await page.getByRole('link', { name: 'Zoeken en registreren' }).click();
    await page.getByRole('region', { name: 'Zoeken op INSZ' }).getByLabel('INSZ (rijksregisternummer)').fill(insz);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByRole('link', { name: 'Lotte Peeters' })).toHaveAttribute('href', `#/workers/${workerId}`);

    const again = page.getByTestId('form-register');
    await again.getByLabel('INSZ (rijksregisternummer)').fill(insz);
    await again.getByRole('button', { name: 'Opslaan' }).click();
    await expect(again.getByRole('alert')).toHaveAttribute('data-rule', 'worker-already-registered');
    await expect(again.getByRole('link', { name: 'Dossier openen' })).toHaveAttribute('href', `#/workers/${workerId}`);
  });

  test('a user with several roles gets the navigation of each', async ({ page, loginAs }) => {
    await loginAs('multi', ['coach', 'screener', 'analyst', 'admin']);
    const nav = page.getByRole('navigation', { name: 'Hoofdnavigatie' });
    for (const name of [
      'Caseload',
      'Opvolging',
      'Zoeken en registreren',
      'Statistieken',
      'Publicaties',
      'Audittrail',
      'Persoonsgegevens wissen',
      'Historiek importeren',
    ]) {
      await expect(nav.getByRole('link', { name })).toBeVisible();
    }
    await expect(nav.getByRole('link', { name: 'Wachtrijen (Bull Board)' })).toHaveAttribute('href', '/admin/queues');
  });
});
