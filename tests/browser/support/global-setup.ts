import { execFileSync } from 'node:child_process';

/**
 * The browser tests run against the built service and the built app (dist/, dist/web), as `npm start`
 * serves them: build both first. TEST_SKIP_BUILD=1 skips it (dist/ must then be fresh).
 */
export default function globalSetup(): void {
  if (process.env.TEST_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}
