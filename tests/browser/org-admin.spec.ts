import { expect, expectAccessible, test } from './support/fixtures.js';
import { pick, pickList } from './support/pick.js';
import { register } from './support/seed.js';
import { TEST_ORGANISATIONS } from '../support/directory.js';

const { a, b } = TEST_ORGANISATIONS;

test.describe('org-admin', () => {
  test('reads the workers of their own organisation (not another’s), and hands a worker to another coach of it', async ({ page, service, loginAs }) => {
    const ours = await register(service, a.coach, { givenName: 'Lotte', familyName: 'Verbeke' });
    const theirs = await register(service, b.coach, { givenName: 'Karim', familyName: 'Aerts' });
    const orgAdmin = service.token(a.orgAdmin, ['org-admin']);
    await service.api(orgAdmin, 'GET', `/v1/workers?waitFor=${theirs.position}`);

    await loginAs(a.orgAdmin, ['org-admin']);
    await expect(page).toHaveURL(/#\/caseload$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Werknemers van ${a.name}`);
    // the browser tests share one service: its other workers of organisation A are listed too, so search
    const search = async (words: string) => {
      await page.getByLabel('Zoeken op naam').fill(words);
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await expect.poll(() => new URLSearchParams(page.url().split('?')[1] ?? '').get('q')).toBe(words);
    };
    const table = page.getByTestId('caseload');
    await search('Lotte Verbeke');
    await expect(table.getByRole('link', { name: 'Lotte Verbeke' })).toBeVisible();
    await expectAccessible(page);
    await search('Karim Aerts');
    await expect(page.getByText('Geen resultaten.')).toBeVisible();

    // another organisation's worker answers as an unknown one, in the app as in the API
    await page.goto(`${service.url}/#/workers/${theirs.workerId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deze werknemer bestaat niet of staat niet in uw caseload.');
    await expect(page.locator('body')).not.toContainText('Karim');

    await page.goto(`${service.url}/#/caseload?q=Lotte%20Verbeke`);
    await table.getByRole('link', { name: 'Lotte Verbeke' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Lotte Verbeke');
    const form = page.getByTestId('form-coach');
    // the coaches offered are their own organisation's: another organisation's coach is not
    await pickList(form, 'Coach').fill('bob');
    await expect(form.getByText('Geen resultaten voor ‘bob’.')).toBeVisible();
    await pick(form, 'Coach', 'bea', /coach-bea/, 'mouse');
    await form.getByRole('button', { name: 'Opslaan' }).click();
    await expect(form.getByRole('status')).toContainText('Opgeslagen');
    // still theirs to read: the worker stays in the organisation
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Werknemer Lotte Verbeke');
    const read = await service.api(orgAdmin, 'GET', `/v1/workers/${ours.workerId}`);
    expect(read.body.coach).toBe(a.secondCoach);
    await expectAccessible(page);

    // the organisation's follow-up list is theirs too
    await page.getByRole('link', { name: 'Opvolging' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Opvolging');
    await expect(page.getByText('Uw rollen geven geen toegang tot deze pagina.')).toHaveCount(0);
    await expectAccessible(page);
  });
});
