import { expect, test } from './support/fixtures.js';
import { pick, pickList } from './support/pick.js';
import { register } from './support/seed.js';
import { TEST_ENTERPRISE, TEST_ORGANISATIONS } from '../support/directory.js';

const shift = (days: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

test.describe('a trajectory through the forms', () => {
  test('screening, placement, exit, six-month result, return under the guarantee, retraction and coach assignment, each from its form', async ({
    page,
    service,
    loginAs,
  }) => {
    const user = 'lies';
    const worker = await register(service, user, { givenName: 'Nora', familyName: 'Vos' });
    await loginAs(user, ['coach', 'screener']);
    await page.goto(`${service.url}/#/workers/${worker.workerId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Nora Vos');
    const timeline = page.getByTestId('timeline');
    const saved = /^Opgeslagen \(versie \d+\)\.$/;

    const screening = page.getByTestId('form-screening');
    await screening.getByLabel('Datum').fill('2025-01-10');
    await screening.getByLabel('Advies').selectOption('supported-employment');
    await screening.getByLabel('Programma').selectOption('MAATWERK');
    await screening.getByRole('button', { name: 'Opslaan' }).click();
    await expect(screening.getByRole('status')).toHaveText(saved);

    const placement = page.getByTestId('form-placement');
    await placement.getByLabel('Programma').selectOption('MAATWERK');
    await pick(placement, 'Werkgever', 'maatwerkbedrijf schakel', TEST_ORGANISATIONS.a.name, 'keyboard');
    await placement.getByLabel('Startdatum').fill('2025-02-01');
    await placement.getByLabel('VTE (0 < vte ≤ 1)').fill('0,8');
    await placement.getByRole('button', { name: 'Opslaan' }).click();
    // a placement is running: its form goes, the exit's comes
    await expect(timeline).toContainText(`Plaatsing gestart in MAATWERK bij ${TEST_ORGANISATIONS.a.name} (0,8 VTE)`);
    await expect(page.getByTestId('form-placement')).toHaveCount(0);

    // a doorstroom about 200 days ago: the six-month reference date has passed, the guarantee still runs
    const exit = page.getByTestId('form-exit');
    await exit.getByLabel('Datum').fill(shift(-200));
    await exit.getByLabel('Reden').selectOption('doorstroom-regular-work');
    await exit.getByRole('button', { name: 'Opslaan' }).click();
    await expect(timeline).toContainText('Terugkeerwaarborg toegekend tot');
    await expect(page.getByTestId('phase')).toHaveText('Uitgestroomd');

    // the six-month check runs by itself (its reference date has passed): the register's provisional result comes first
    const screener = service.token('screener-check', ['screener']);
    await expect
      .poll(async () => (await service.api(screener, 'GET', `/v1/workers/${worker.workerId}`)).body.placements[0]?.followUp?.source ?? null, {
        timeout: 30_000,
      })
      .toBe('register');
    await page.reload();
    const followUp = page.getByTestId('form-follow-up');
    await followUp.getByLabel('Resultaat').selectOption('employed');
    await followUp.getByRole('button', { name: 'Opslaan' }).click();
    await expect(followUp.getByRole('status')).toHaveText(saved);
    await expect(page.getByRole('region', { name: 'Huidige situatie' })).toContainText('aan het werk (door de coach)');

    const back = page.getByTestId('form-return');
    await back.getByLabel('Datum').fill(shift(-10));
    // the enterprise number finds the organisation too
    await pick(back, 'Werkgever', TEST_ENTERPRISE.replaceAll('.', ''), TEST_ORGANISATIONS.a.name, 'mouse');
    await back.getByRole('button', { name: 'Opslaan' }).click();
    await expect(page.getByTestId('phase')).toHaveText('Terug in plaatsing onder de terugkeerwaarborg');
    await expect(page.getByRole('region', { name: 'Huidige situatie' }).locator('tbody tr')).toHaveCount(2);

    // only the latest step (the return) can be retracted, after a confirmation naming the person
    const retraction = page.getByTestId('form-retraction');
    await expect(retraction).toContainText(`Laatste stap: Terugkeer onder de waarborg in MAATWERK bij ${TEST_ORGANISATIONS.a.name}`);
    await retraction.getByLabel('Reden van de intrekking').fill('verkeerd dossier');
    await retraction.getByRole('button', { name: 'Intrekken…' }).click();
    await expect(retraction.getByRole('alertdialog')).toContainText('Nora Vos');
    await retraction.getByRole('button', { name: 'Ja, deze stap intrekken' }).click();
    await expect(timeline).toContainText('Ingetrokken: Plaatsing gestart');
    await expect(page.getByRole('region', { name: 'Huidige situatie' }).locator('tbody tr')).toHaveCount(1);

    await service.ensureCoach('coach-next');
    const coach = page.getByTestId('form-coach');
    // a screener names a coach of any organisation: the worker's is proposed first
    await expect(pickList(coach, 'Organisatie van de coach')).toHaveValue(TEST_ORGANISATIONS.a.name);
    await pick(coach, 'Coach', 'next', 'coach-next', 'mouse');
    await coach.getByRole('button', { name: 'Opslaan' }).click();
    await expect(coach.getByRole('status')).toHaveText(saved);
    await expect(timeline).toContainText('Coach toegewezen: coach-next');

    const read = await service.api(screener, 'GET', `/v1/workers/${worker.workerId}`);
    expect(read.body.coach).toBe('coach-next');
    expect(read.body.placements).toHaveLength(1);
    expect(read.body.placements[0]).toMatchObject({
      programme: 'MAATWERK',
      enterpriseId: service.organisations.a,
      fte: 0.8,
      exit: { reason: 'doorstroom-regular-work' },
    });
    expect(read.body.placements[0].followUp).toMatchObject({ outcome: 'employed', source: 'manual' });
  });

  test('a command on a worker someone changed meanwhile is refused (412); reloading shows the change and the command then passes', async ({
    page,
    service,
    loginAs,
  }) => {
    const worker = await register(service, 'coach-stale', { givenName: 'Tim', familyName: 'Laat' });
    await loginAs('coach-stale', ['coach']);
    await page.goto(`${service.url}/#/workers/${worker.workerId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Tim Laat');

    const other = await service.api(service.token('coach-stale', ['coach']), 'POST', `/v1/workers/${worker.workerId}/pops`, {
      date: '2025-01-01',
      goals: ['elders'],
    });
    expect(other.status).toBe(201);

    const pop = page.getByTestId('form-pop');
    await pop.getByLabel('Datum').fill('2025-01-02');
    await pop.getByLabel('Doelen (één per regel)').fill('hier');
    await pop.getByRole('button', { name: 'Opslaan' }).click();
    await expect(pop.getByRole('alert')).toHaveAttribute('data-status', '412');
    await expect(pop.getByRole('alert')).toContainText('De werknemer is intussen gewijzigd.');
    await pop.getByRole('button', { name: 'Opnieuw laden' }).click();
    await expect(page.getByText('01/01/2025: elders')).toBeVisible();

    await pop.getByLabel('Datum').fill('2025-01-02');
    await pop.getByLabel('Doelen (één per regel)').fill('hier');
    await pop.getByRole('button', { name: 'Opslaan' }).click();
    await expect(pop.getByRole('status')).toHaveText(/^Opgeslagen \(versie \d+\)\.$/);
  });

  test('the caseload pages with the cursor', async ({ page, service, loginAs }) => {
    const coach = 'coach-pages';
    let position = '';
    for (let i = 0; i < 55; i++) position = (await register(service, coach, { givenName: `P${String(i).padStart(2, '0')}`, familyName: 'Pager' })).position;
    await service.api(service.token(coach, ['coach']), 'GET', `/v1/workers?waitFor=${position}`);
    await loginAs(coach, ['coach']);
    const rows = page.getByTestId('caseload').locator('tbody tr');
    await expect(rows).toHaveCount(50);
    const first = await rows.locator('th').allTextContents();
    await page.getByRole('link', { name: 'Volgende pagina' }).click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(rows).toHaveCount(5);
    const second = await rows.locator('th').allTextContents();
    expect(new Set([...first, ...second]).size).toBe(55);
    await expect(page.getByRole('link', { name: 'Volgende pagina' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Eerste pagina' }).click();
    await expect(rows).toHaveCount(50);
  });
});
