/* global performance, fetch, AbortSignal -- Node's own */
/**
 * Asks `<url>/health` again and again, one request at a time, until its stdin closes; then prints
 * the slowest answer in milliseconds. A process of its own, so that what it measures is the
 * service's delay, not the test runner's (which builds and sends the hostile bodies).
 */
const url = process.argv[2];
let slowest = 0;
let done = false;
process.stdin.on('end', () => (done = true)).resume();
process.stdout.write('ready\n');
while (!done) {
  const started = performance.now();
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  if (res.status !== 200) {
    process.stdout.write(`status ${res.status}\n`);
    process.exit(1);
  }
  slowest = Math.max(slowest, performance.now() - started);
}
process.stdout.write(`${Math.round(slowest)}\n`);
