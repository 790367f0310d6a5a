import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BENCH_METRICS_TOKEN } from './metrics.js';

/** The service as users run it: a separate Node process started from dist/. */
export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<ServiceProcess>();

/** Node's flags from `npm start` (the heap cap), so that every process the bench starts runs as `npm start` would. */
const START_FLAGS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((argument) => argument.startsWith('--'));

/** The run's own folder for data folders (the embedded stores'), removed by `stopAll`. */
export const scratch = mkdtempSync(join(tmpdir(), 'bench-'));

/** A new empty folder inside the run's scratch folder. */
export function scratchDir(name: string): string {
  return mkdtempSync(join(scratch, `${name}-`));
}

/**
 * Stops every process still running (a failed bench must not leave any behind), then removes the
 * run's data folders and every Redis key under its queue prefix.
 */
export async function stopAll(redisUrl: string, queuePrefix: string): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
  rmSync(scratch, { recursive: true, force: true });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${queuePrefix}*`, count: 1_000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

/** Starts `script` (the service by default) and waits for its /health, unless `waitForHealth` is false. */
export async function startServiceProcess(
  env: Record<string, string>,
  port: number,
  script = 'dist/apps/api/src/main.js',
  waitForHealth = true,
): Promise<ServiceProcess> {
  // Another process on the port would answer the health check in this one's place.
  await new Promise<void>((resolve, reject) => {
    const probe = createServer().once('error', () => reject(new Error(`port ${port} is taken: stop what listens there`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
  const dataDir = env.DATA_DIR ?? scratchDir('data');
  // BENCH_PROFILE_DIR=<dir>: each service process writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...START_FLAGS, ...profile, script], {
    env: { ...process.env, LOG_LEVEL: 'warn', METRICS_TOKEN: BENCH_METRICS_TOKEN, ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (; waitForHealth;) {
    if (child.exitCode !== null) throw new Error(`service exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || res.status === 503) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('service did not start within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const started: ServiceProcess = {
    url,
    pid: child.pid!,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        running.delete(started);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
  running.add(started);
  return started;
}
