import { readFileSync } from 'node:fs';

/** Small measurement helpers for the benchmark: percentiles, rates, formatting. */

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank]!;
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
