import { expect, type Locator } from '@playwright/test';

/** The pick-list (combobox) labelled exactly `field` inside `scope`. */
export const pickList = (scope: Locator, field: string) => scope.getByRole('combobox', { name: field, exact: true });

/**
 * Chooses an entry of a pick-list as a person does: types part of a name (or a number), waits for
 * the entry, then either moves to it with ↓ and takes it with Enter, or clicks it. Afterwards the
 * list is closed and the field shows the entry.
 */
export async function pick(scope: Locator, field: string, typed: string, entry: string | RegExp, by: 'keyboard' | 'mouse'): Promise<void> {
  const combobox = pickList(scope, field);
  await combobox.fill(typed);
  const option = scope.getByRole('option', { name: entry });
  await expect(option).toBeVisible();
  if (by === 'mouse') {
    await option.click();
  } else {
    const id = (await option.getAttribute('id'))!;
    for (let step = 0; step < 25 && (await combobox.getAttribute('aria-activedescendant')) !== id; step++) await combobox.press('ArrowDown');
    await expect(combobox).toHaveAttribute('aria-activedescendant', id);
    await combobox.press('Enter');
  }
  await expect(combobox).toHaveAttribute('aria-expanded', 'false');
  await expect(combobox).not.toHaveValue(typed);
}
