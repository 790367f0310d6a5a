import { readdirSync, readFileSync } from 'node:fs';
import type { SqlClient } from '#sql/sql.js';

/** Small measurement helpers for the benchmark: percentiles, rates, formatting. */

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank];
}

export function latencySummary(samplesMs: number[]): { p50: number; p99: number; max: number; count: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs `workers` loops concurrently until `durationMs` has passed; returns how many iterations finished. */
export async function runFor(durationMs: number, workers: number, iteration: (worker: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        await iteration(worker);
        done++;
      }
    }),
  );
  return done;
}

export function peakRssMb(pid: number): number | null {
  try {
    // VmHWM is the peak resident set size of the process so far.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? round(Number(match[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; null where /proc cannot tell. */
export function cpuSeconds(pid: number | string): number | null {
  try {
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th (clock ticks).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by the processes of one program on this machine (`postgres`, `redis-server`); null if none runs here. */
export function programCpuSeconds(program: string): number | null {
  let total: number | null = null;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== program) continue;
    } catch {
      continue;
    }
    total = (total ?? 0) + (cpuSeconds(pid) ?? 0);
  }
  return total;
}

/**
 * Where the CPU goes while `work` runs: milliseconds per unit of work it reports done, for each
 * process watched. Connections opened and closed inside `work` are missed, so pools must be open before.
 */
export async function cpuPerUnit(watch: Record<string, () => number | null>, work: () => Promise<number>): Promise<Record<string, number | null>> {
  const before = Object.fromEntries(Object.entries(watch).map(([name, read]) => [name, read()]));
  const units = await work();
  return Object.fromEntries(
    Object.entries(watch).map(([name, read]) => {
      const start = before[name];
      const end = read();
      return [name, start === null || start === undefined || end === null || units === 0 ? null : round(((end - start) * 1000) / units, 3)];
    }),
  );
}

/**
 * The PostgreSQL backends serving `database` (by process id), so that CPU is counted for this
 * run's connections only: other work on a shared server is left out, and so are the server's
 * shared background processes (WAL writer, checkpointer). Read once the pools are open.
 */
export async function backendsOf(
  db: { query: (text: string, values: unknown[]) => Promise<{ rows: { pid: number }[] }> },
  database: string,
): Promise<number[]> {
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rows.map((row) => row.pid);
}

/** Transactions the server has counted for `database` so far (its statistics lag by up to a second). */
export async function transactionsOf(
  db: { query: (text: string, values: unknown[]) => Promise<{ rows: { n: string }[] }> },
  database: string,
): Promise<number> {
  const { rows } = await db.query('SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = $1', [database]);
  return Number(rows[0]?.n ?? 0);
}

/** CPU seconds used so far by these processes (those that have exited count nothing). */
export function processesCpuSeconds(pids: number[]): number {
  return pids.reduce((total, pid) => total + (cpuSeconds(pid) ?? 0), 0);
}

/**
 * CPU seconds of the PostgreSQL backends serving `database`, sampled: a backend seen at the first
 * sample counts from there, one that appears later from its start; one that exits between two
 * samples loses what it used since the last (the service's pool keeps its connections). The
 * connection that samples is left out.
 */
export function backendCpu(db: SqlClient, database: string): { sample(): Promise<void>; seconds(): number } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let initial = true;
  return {
    async sample() {
      for (const pid of await backendsOf(db, database)) {
        const cpu = cpuSeconds(pid);
        if (cpu === null) continue;
        if (!first.has(pid)) first.set(pid, initial ? cpu : 0);
        last.set(pid, cpu);
      }
      initial = false;
    },
    seconds: () => [...last].reduce((total, [pid, cpu]) => total + cpu - first.get(pid)!, 0),
  };
}
