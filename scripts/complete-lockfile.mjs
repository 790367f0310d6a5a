// The npm registry reachable here lacks some platform builds (e.g. @swc/core-darwin-arm64 at the
// version @swc/core wants), so `npm install` leaves those optional packages out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. This adds an entry for each
// missing optional dependency (optional, with its os/cpu), which npm ci skips on other platforms.
// Run after every `npm install`: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    if (packages[`node_modules/${name}`] || packages[`${path}/node_modules/${name}`]) continue;
    const entry = { version: range.replace(/^[\^~=]/, ''), optional: true };
    if (meta.dev) entry.dev = true;
    const os = /(darwin|linux|win32|freebsd|android|openharmony|sunos|aix|netbsd|openbsd)/.exec(name)?.[1];
    const cpu = /(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64|wasm32)/.exec(
      name
        .split('/')
        .pop()
        .replace(os ?? '', ''),
    )?.[1];
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    packages[`node_modules/${name}`] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
