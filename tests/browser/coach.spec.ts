import { expect, expectAccessible, test } from './support/fixtures.js';
import { pick, pickList } from './support/pick.js';
import { register, screen, trajectory } from './support/seed.js';
import { TEST_ORGANISATIONS } from '../support/directory.js';

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const dutch = (iso: string) => iso.split('-').reverse().join('/');
const shift = (days: number, months = 0) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDay(d);
};

test.describe('coach', () => {
  test('the caseload lists the own workers (accessible), filters them, and another coach’s worker answers as unknown', async ({ page, service, loginAs }) => {
    const mine = await register(service, 'coach-anna', { givenName: 'Mira', familyName: 'Janssens' });
    const theirs = await register(service, 'coach-bert', { givenName: 'Omer', familyName: 'Elders' });
    await service.api(service.token('coach-anna', ['coach']), 'GET', `/v1/workers?waitFor=${theirs.position}`);

    await loginAs('coach-anna', ['coach']);
    const table = page.getByTestId('caseload');
    await expect(table.getByRole('link', { name: 'Mira Janssens' })).toHaveAttribute('href', `#/workers/${mine.workerId}`);
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table).not.toContainText('Omer Elders');
    await expect(table.locator('tbody tr').first()).toContainText('geregistreerd');
    await expectAccessible(page);

    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page).toHaveURL(/status=active/);
    await expect(page.getByText('Geen resultaten.')).toBeVisible();

    await page.goto(`${service.url}/#/workers/${theirs.workerId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deze werknemer bestaat niet of staat niet in uw caseload.');
    await expect(page.locator('body')).not.toContainText('Omer');
  });

  test('records a step from the worker page with If-Match and an Idempotency-Key; the timeline and version follow', async ({ page, service, loginAs }) => {
    const worker = await register(service, 'coach-carl', { givenName: 'Sam', familyName: 'Peeters' });
    await service.api(service.token('coach-carl', ['coach']), 'GET', `/v1/workers?waitFor=${worker.position}`);
    await loginAs('coach-carl', ['coach']);
    await page.getByRole('link', { name: 'Sam Peeters' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Sam Peeters');
    await expectAccessible(page);

    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/v1/workers/${worker.workerId}/pops`));
    const pop = page.getByTestId('form-pop');
    await pop.getByLabel('Datum').fill('2025-01-15');
    await pop.getByLabel('Doelen (één per regel)').fill('werken in een team\nheftruckattest');
    await pop.getByRole('button', { name: 'Opslaan' }).click();
    const headers = (await sent).headers();
    expect(headers['if-match']).toBe('"1"');
    expect(headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await expect(pop.getByRole('status')).toHaveText('Opgeslagen (versie 2).');
    await expect(page.getByTestId('timeline')).toContainText('POP opgesteld');
    await expect(page.getByText('werken in een team; heftruckattest')).toBeVisible();

    const read = await service.api(service.token('coach-carl', ['coach']), 'GET', `/v1/workers/${worker.workerId}`);
    expect(read.body.pop.goals).toEqual(['werken in een team', 'heftruckattest']);
  });

  test('a broken rule (409) says in Dutch what it means, next to the form; invalid input (400) marks the field', async ({ page, service, loginAs }) => {
    const worker = await register(service, 'coach-dirk', { givenName: 'Ria', familyName: 'Smet' });
    await screen(service, worker.workerId, '2025-01-10', 'SW');
    await loginAs('coach-dirk', ['coach']);
    await page.goto(`${service.url}/#/workers/${worker.workerId}`);
    const placement = page.getByTestId('form-placement');
    await placement.getByLabel('Programma').selectOption('SW');
    await pick(placement, 'Werkgever', 'schakel', TEST_ORGANISATIONS.a.name, 'keyboard');
    await placement.getByLabel('Startdatum').fill('2025-01-01');
    await placement.getByRole('button', { name: 'Opslaan' }).click();
    const alert = placement.getByRole('alert');
    await expect(alert).toHaveAttribute('data-rule', 'date-before-previous-step');
    await expect(alert).toHaveText('De datum ligt vóór de vorige stap. Kies een datum op of na de laatste stap.');
    // the other forms show nothing
    await expect(page.getByTestId('form-pop').getByRole('alert')).toHaveCount(0);
    await placement.getByLabel('Startdatum').fill('2025-02-01');

    await placement.getByLabel('VTE (0 < vte ≤ 1)').fill('2');
    await placement.getByRole('button', { name: 'Opslaan' }).click();
    await expect(placement.getByLabel('VTE (0 < vte ≤ 1)')).toHaveAttribute('aria-invalid', 'true');
    await expect(placement.locator('.field-error')).toHaveText('Deze waarde ligt buiten de grenzen.');
    await expect(placement.getByRole('alert')).toContainText('VTE');
  });

  test('employer and coach come from the directory: typed text without a choice is refused (nothing sent), only organisations recognised for the programme are offered, a coach hands a worker to a colleague of their own organisation', async ({
    page,
    service,
    loginAs,
  }) => {
    const { a, b } = TEST_ORGANISATIONS;
    const worker = await register(service, 'coach-cas', { givenName: 'Ines', familyName: 'Wauters' });
    await screen(service, worker.workerId, '2025-01-10', 'SW');
    await loginAs('coach-cas', ['coach']);
    await page.goto(`${service.url}/#/workers/${worker.workerId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Ines Wauters');
    const commands: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') commands.push(new URL(r.url()).pathname);
    });

    const placement = page.getByTestId('form-placement');
    const employer = pickList(placement, 'Werkgever');
    await expect(placement.getByLabel('Programma')).toHaveValue('SW');
    // B is not recognised for SW: not offered
    await employer.fill('antwerpen werkt');
    await expect(placement.getByText('Geen resultaten voor ‘antwerpen werkt’.')).toBeVisible();
    await expect(employer).toHaveAttribute('aria-expanded', 'false');

    // typed text without a choice: refused at the field, nothing sent
    await employer.fill('schakel');
    await expect(placement.getByRole('option', { name: a.name })).toBeVisible();
    await employer.press('Escape');
    await expect(employer).toHaveAttribute('aria-expanded', 'false');
    await placement.getByLabel('Startdatum').fill('2025-02-01');
    await placement.getByRole('button', { name: 'Opslaan' }).click();
    await expect(employer).toHaveAttribute('aria-invalid', 'true');
    await expect(placement.locator('.field-error')).toHaveText('Kies een van de voorstellen uit de lijst: getypte tekst alleen wordt niet verzonden.');
    await expect(placement.getByRole('alert')).toContainText('Werkgever');
    expect(commands).toEqual([]);

    // a choice for MAATWERK that is not recognised for SW goes when the programme goes back to SW
    await placement.getByLabel('Programma').selectOption('MAATWERK');
    await pick(placement, 'Werkgever', 'antwerpen', b.name, 'mouse');
    await expect(employer).toHaveValue(`${b.name} (${b.enterpriseNumber}, 2000 Antwerpen)`);
    await placement.getByLabel('Programma').selectOption('SW');
    await expect(employer).toHaveValue('');

    await pick(placement, 'Werkgever', 'de schak', a.name, 'mouse');
    await expect(employer).toHaveValue(`${a.name} (${a.enterpriseNumber}, 9000 Oost-Vlaanderen)`);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/placements'));
    await placement.getByRole('button', { name: 'Opslaan' }).click();
    expect((await sent).postDataJSON()).toMatchObject({ programme: 'SW', enterpriseId: service.organisations.a });
    await expect(page.getByTestId('timeline')).toContainText(`Plaatsing gestart in SW bij ${a.name}`);

    // the coach's own organisation's coaches only: B's coach is not offered
    const form = page.getByTestId('form-coach');
    await expect(form.getByRole('combobox')).toHaveCount(1);
    await pickList(form, 'Coach').fill('bob');
    await expect(form.getByText('Geen resultaten voor ‘bob’.')).toBeVisible();
    await pick(form, 'Coach', 'bea', 'Coach Bea (coach-bea)', 'keyboard');
    await expect(pickList(form, 'Coach')).toHaveValue(`Coach Bea (coach-bea), ${a.name}`);
    await form.getByRole('button', { name: 'Opslaan' }).click();
    // handed over: the worker has left this coach's caseload
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deze werknemer bestaat niet of staat niet in uw caseload.');
    const read = await service.api(service.token('screener-check', ['screener']), 'GET', `/v1/workers/${worker.workerId}`);
    expect(read.body.coach).toBe('coach-bea');
    expect(commands.filter((path) => path.endsWith('/coach-assignments'))).toHaveLength(1);
  });

  test('follow-up page: a due six-month check and an expiring guarantee; the result recorded from there leaves the list (accessible)', async ({
    page,
    service,
    loginAs,
  }) => {
    const coach = 'coach-eva';
    const token = service.token(coach, ['coach']);
    // The six-month checks queue is paused, so the check stays due until the coach records a result.
    await service.setQueuePaused('follow-up-checks', true);
    try {
      // doorstroom 12 months (the default guarantee) less 10 days ago: the check is due, the guarantee ends in about 10 days
      const position = await trajectory(service, coach, 'MAATWERK', shift(-40, -12), shift(10, -12), null);
      await service.api(token, 'GET', `/v1/workers?waitFor=${position}`);
      const due = await service.api(token, 'GET', '/v1/follow-ups?status=due');
      const guarantees = await service.api(token, 'GET', `/v1/return-guarantees?status=running&expiresBefore=${shift(30)}`);
      expect([due.body.items.length, guarantees.body.items.length]).toEqual([1, 1]);

      await loginAs(coach, ['coach']);
      await expect(page.getByTestId('caseload')).toContainText(`waarborg tot ${dutch(guarantees.body.items[0].expiresOn)}`);
      await expect(page.getByTestId('caseload')).toContainText(`controle ${dutch(due.body.items[0].referenceDate)} (te laat)`);
      await page.getByRole('link', { name: 'Opvolging' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Opvolging' })).toBeVisible();
      await expect(page.getByTestId('due-guarantees').locator('tbody tr')).toHaveCount(1);
      await expect(page.getByTestId('due-guarantees')).toContainText(dutch(guarantees.body.items[0].expiresOn));
      const checks = page.getByTestId('due-checks');
      await expect(checks.locator('tbody tr')).toHaveCount(1);
      await expect(checks).toContainText(dutch(due.body.items[0].referenceDate));
      await expectAccessible(page);

      await checks.getByRole('link').click();
      const result = page.getByTestId('form-follow-up');
      await result.getByLabel('Resultaat').selectOption('ibo');
      await result.getByRole('button', { name: 'Opslaan' }).click();
      await expect(result.getByRole('status')).toHaveText(/^Opgeslagen/);
      await page.getByRole('link', { name: 'Opvolging' }).click();
      // The list is a read model: it holds the result once the projections have processed it.
      await expect(async () => {
        await page.reload();
        await expect(page.locator('section[aria-labelledby="due-checks"]')).toContainText('Geen resultaten.', { timeout: 1_000 });
      }).toPass({ timeout: 15_000 });
    } finally {
      await service.setQueuePaused('follow-up-checks', false);
    }
  });
});
