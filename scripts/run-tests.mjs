/**
 * `npm test`: Jest (unit, integration, e2e, process tests), then the browser tests (Playwright).
 * `npm test -- <args>` runs one of them with the arguments: Playwright when every test path named
 * is under tests/browser/, Jest otherwise (so `npm test -- tests/e2e/x.spec.ts` stays a Jest run).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
// test paths: the arguments that name a file or folder (an option's value such as a -g pattern does not)
const paths = args.filter((arg) => !arg.startsWith('-') && (arg.includes('/') || arg.endsWith('.ts')));
const browserOnly = paths.length > 0 && paths.every((path) => path.replace(/^\.\//, '').startsWith('tests/browser'));

const jest = () => run([process.execPath, '--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand', ...args]);
const playwright = (extra) => run([process.execPath, 'node_modules/@playwright/test/cli.js', 'test', ...extra]);

function run([command, ...rest]) {
  const result = spawnSync(command, rest, { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (browserOnly) process.exit(playwright(args));
if (args.length > 0) process.exit(jest());
const status = jest();
if (status !== 0) process.exit(status);
process.exit(playwright([]));
