import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The files of a tiny built web application, as `npm run build` lays it out (dist/web). */
export const WEB_APP_FILES = {
  '/index.html': '<!doctype html><html><head><script type="module" src="/assets/app-3f2a9c1b.js"></script></head><body></body></html>\n',
  '/assets/app-3f2a9c1b.js': 'document.body.textContent = "app";\n',
  '/assets/app-5d8e7f60.css': 'body { margin: 0; }\n',
};

/** A temporary WEB_ROOT holding WEB_APP_FILES; `remove` deletes it. */
export function webRootFixture(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'trajectory-web-'));
  for (const [path, content] of Object.entries(WEB_APP_FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
