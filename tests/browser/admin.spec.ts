import { expect, expectAccessible, test } from './support/fixtures.js';
import { register } from './support/seed.js';

test.describe('admin', () => {
  test('the audit trail, filtered by worker; the Bull Board link opens with the session', async ({ page, service, loginAs }) => {
    const worker = await register(service, 'coach-audit', { givenName: 'Audit', familyName: 'Case' });
    await loginAs('admin-beheer', ['admin']);
    await expect(page).toHaveURL(/#\/audit$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Audittrail' })).toBeVisible();
    await expect(page.getByTestId('audit').locator('tbody tr').first()).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel('Werknemer (id)').fill(worker.workerId);
    await page.getByRole('button', { name: 'Filteren' }).click();
    await expect(page).toHaveURL(new RegExp(`workerId=${worker.workerId}`));
    const rows = page.getByTestId('audit').locator('tbody tr');
    // The unfiltered page stays on screen until the filtered one arrives (its first row may be this worker's):
    // wait until no row is about someone else before reading the rows one by one.
    await expect(rows.filter({ hasNotText: worker.workerId })).toHaveCount(0);
    await expect(rows.first()).toContainText(worker.workerId);
    for (const row of await rows.all()) await expect(row).toContainText(worker.workerId);
    // People by name, the id beside it; actions in Dutch.
    for (const row of await rows.all()) await expect(row).toContainText('Audit Case');
    await expect(rows.last()).toContainText('seed-screener');
    await expect(rows.last()).toContainText('gewijzigd');
    // The first page named Audit Case: that view is itself recorded, as the admin's read.
    await expect(rows.first()).toContainText('admin-beheer');
    await expect(rows.first()).toContainText('ingezien');

    // The chain's state on request.
    await page.getByRole('button', { name: 'Keten nu controleren' }).click();
    await expect(page.getByTestId('audit-verification')).toContainText('De keten is intact');

    const link = page.getByRole('link', { name: 'Wachtrijen (Bull Board)' });
    await expect(link).toHaveAttribute('href', '/admin/queues');
    const board = await page.request.get(`${service.url}/admin/queues`);
    expect(board.status()).toBe(200);
    // and the board leads back to the application
    expect(await board.text()).toContain('Terug naar de toepassing');
  });

  test('erasure finds the person by name and asks for a confirmation naming them, then the worker reads without INSZ and names', async ({
    page,
    service,
    loginAs,
  }) => {
    const worker = await register(service, 'coach-erase', { givenName: 'Weg', familyName: 'Gevlogen' });
    await service.api(service.token('admin-beheer', ['admin']), 'GET', `/v1/workers?waitFor=${worker.position}`);
    await loginAs('admin-beheer', ['admin']);
    await page.getByRole('link', { name: 'Persoonsgegevens wissen' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Persoonsgegevens wissen' })).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel('INSZ of naam').fill('weg gevl');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.getByTestId('erasure-found').getByRole('button', { name: 'Wissen…' }).click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText('Weg Gevlogen');
    await expectAccessible(page);
    // cancelling erases nothing
    await confirm.getByRole('button', { name: 'Annuleren' }).click();
    const screener = service.token('screener-check', ['screener']);
    expect((await service.api(screener, 'GET', `/v1/workers/${worker.workerId}`)).body.familyName).toBe('Gevlogen');

    await page.getByTestId('erasure-found').getByRole('button', { name: 'Wissen…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Ja, definitief wissen' }).click();
    await expect(page.getByRole('status')).toHaveText('De persoonsgegevens van Weg Gevlogen zijn gewist.');
    const read = await service.api(screener, 'GET', `/v1/workers/${worker.workerId}`);
    expect({ insz: read.body.insz, givenName: read.body.givenName, familyName: read.body.familyName }).toEqual({
      insz: null,
      givenName: null,
      familyName: null,
    });

    // an erased name is found no more
    await page.getByLabel('INSZ of naam').fill('gevlogen');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.getByText('Geen resultaten.')).toBeVisible();
  });
});
