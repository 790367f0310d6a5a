import { execFileSync } from 'node:child_process';

/**
 * Builds dist/ once before the suites, so that tests which must kill and restart a real
 * process (crash recovery, restarts) can spawn `node dist/...`. TEST_SKIP_BUILD=1 skips it
 * for quick runs of suites that spawn nothing.
 */
export default function globalSetup(): void {
  if (process.env.TEST_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
