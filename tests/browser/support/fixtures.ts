import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { startBrowserService, type BrowserService, type Role } from './service.js';

export { expect };

interface PageFixtures {
  /** opens a one-time login link in the page; resolves once the app shows the user's first page */
  loginAs: (sub: string, roles: Role[]) => Promise<void>;
  /** what the page reported against the CSP or threw (checked after each test: must be empty) */
  problems: string[];
}

interface WorkerFixtures {
  service: BrowserService;
}

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

export const test = base.extend<PageFixtures, WorkerFixtures>({
  service: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern; this one has none
    async ({}, use) => {
      const service = await startBrowserService();
      await use(service);
      await service.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  // Automatic: every test fails on a CSP violation, an uncaught error or a console error of its page.
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      await page.addInitScript(() => {
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          window.cspViolations!.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
        });
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // Chromium logs every 4xx answer as "Failed to load resource"; the tests provoke several on purpose.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
      });
      await use(problems);
      const violations = await page.evaluate(() => window.cspViolations ?? []).catch(() => [] as string[]);
      expect([...problems, ...violations.map((v) => `CSP: ${v}`)]).toEqual([]);
    },
    { auto: true },
  ],
  loginAs: async ({ page, service }, use) => {
    await use(async (sub, roles) => {
      await page.goto(service.loginLink(sub, roles));
      await expect(page.getByRole('button', { name: /Afmelden|Log out/ })).toBeVisible();
      // the application has moved on to the first page of the user's roles (a later goto must not race that move)
      await expect(page).toHaveURL(/\/#\/[a-z]+$/);
    });
  },
});

/** axe-core on the page as it stands: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  expect(serious).toEqual([]);
}

/**
 * axe at a desktop and a phone width, and the page itself never scrolling sideways (wide tables
 * scroll inside regions the keyboard reaches); back at the desktop width afterwards.
 */
export async function expectAccessibleAtBothWidths(page: Page): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expectAccessible(page);
    // what sticks out of the page (outside the scroll regions), named, so a failure says where
    await expect
      .poll(() =>
        page.evaluate(() =>
          document.documentElement.scrollWidth <= window.innerWidth
            ? []
            : [...document.querySelectorAll('body *')]
                .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5 && !element.closest('.table-wrap'))
                .map((element) => `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''}`),
        ),
      )
      .toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
