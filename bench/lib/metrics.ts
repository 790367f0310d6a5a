import { randomBytes } from 'node:crypto';

/** The scrape token every service process of the run is started with (METRICS_TOKEN). */
export const BENCH_METRICS_TOKEN = randomBytes(16).toString('hex');

/** One sample of a service's `GET /metrics`, by its exact name and labels (absent: null). */
export async function scrapeSample(serviceUrl: string, sample: string): Promise<number | null> {
  const answer = await fetch(`${serviceUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  if (answer.status !== 200) throw new Error(`${serviceUrl}/metrics: ${answer.status}`);
  const line = (await answer.text()).split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? null : Number(line.slice(sample.length + 1));
}

/** Events the read models are behind the log, as the service reports it to operators. */
export async function projectionLag(serviceUrl: string): Promise<number> {
  const lag = await scrapeSample(serviceUrl, 'trajectory_projection_lag_positions{projection="read-models"}');
  if (lag === null) throw new Error(`${serviceUrl}/metrics reports no projection lag`);
  return lag;
}

/** Waits until the service reports its read models level with the log; returns how long that took, in seconds. */
export async function projectionsCaughtUp(serviceUrl: string, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (let delay = 10; (await projectionLag(serviceUrl)) > 0; delay = Math.min(delay * 2, 100)) {
    if (performance.now() - started > timeoutMs) throw new Error(`the projections did not catch up within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return (performance.now() - started) / 1000;
}
