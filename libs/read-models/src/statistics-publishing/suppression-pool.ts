import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SuppressedTables } from './small-cells.js';
import { protectInProcess, SUPPRESSION_BUDGET_MS, type Protector } from './statistics-answers.js';
import type { SuppressionJob } from './suppression.worker.js';

function frozen(tables: SuppressedTables<object, object>): SuppressedTables<object, object> {
  for (const table of [tables.flows, tables.outflow ?? []]) {
    for (const rows of table) {
      for (const row of rows) Object.freeze(row);
      Object.freeze(rows);
    }
    Object.freeze(table);
  }
  return Object.freeze(tables);
}

/** More tables waiting than the pool takes: the caller answers 503 with Retry-After. */
export class SuppressionBusy extends Error {
  constructor() {
    super('too many statistics with small cells are being protected at once');
  }
}

/** A table whose protection needs more memory than a thread has: asking again would fail again. */
export class SuppressionTooLarge extends Error {
  constructor() {
    super('this table is too large to protect at once: ask for fewer years, or by province instead of by organisation');
  }
}

/**
 * The heap of a suppression thread. A series of 6 years by 2,000 organisations needs about 384 MB while
 * it is protected (measured); a table that needs more than this loses its thread and is refused.
 */
export const SUPPRESSION_HEAP_MB = 512;

export interface SuppressionPoolOptions {
  /** worker threads (each solves one table at a time) */
  threads: number;
  /** tables waiting for a thread beyond which a request is refused */
  maxWaiting: number;
  budgetMs: number;
  /** protected tables kept, the most recently read first: the same figures read again cost a lookup */
  cached?: number;
  /** each thread's heap (default SUPPRESSION_HEAP_MB) */
  heapMb?: number;
  /** the compiled worker (default: beside this module; absent, tables are protected in the calling thread) */
  workerFile?: URL;
}

interface Waiting {
  job: SuppressionJob;
  resolve: (result: SuppressedTables<object, object>) => void;
  reject: (error: Error) => void;
}

const WORKER_FILE = new URL('./suppression.worker.js', import.meta.url);

/**
 * Small-cell suppression off the event loop: the integer program and the exact checks are CPU
 * work of up to the time budget per table, so they run in worker threads, a bounded number at a
 * time, while the event loop keeps answering (`/health` included). Threads start on first use and
 * do not keep the process alive. Where the compiled worker file is absent (TypeScript run
 * directly, as in unit tests), tables are protected in the calling thread.
 */
export class SuppressionPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Waiting>();
  private readonly queue: Waiting[] = [];
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SuppressionPoolOptions = { threads: 1, maxWaiting: 16, budgetMs: SUPPRESSION_BUDGET_MS }) {}

  private get workerFile(): URL {
    return this.options.workerFile ?? WORKER_FILE;
  }

  /** figures and minCell (a digest) → their protection; oldest first */
  private readonly answers = new Map<string, Promise<SuppressedTables<object, object>>>();

  /**
   * Protects a table, or gives the protection of the same figures with the same minCell again: the
   * protection depends on nothing else, so a table read again before its figures change (the
   * projections moved on) is not solved again, and reads the same. A failed protection is not kept.
   */
  readonly protect: Protector = (years, minCell) => {
    const key = createHash('sha256')
      .update(JSON.stringify([minCell, years]))
      .digest('base64');
    const known = this.answers.get(key);
    if (known) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    // Kept answers are shared by every read of the same figures: frozen, so no reader changes another's.
    const answer = this.solve(years, minCell).then(frozen);
    this.answers.set(key, answer);
    answer.catch(() => this.answers.delete(key));
    while (this.answers.size > (this.options.cached ?? 8)) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  };

  private readonly solve: Protector = (years, minCell) => {
    if (!existsSync(fileURLToPath(this.workerFile))) return protectInProcess(years, minCell);
    if (this.queue.length >= this.options.maxWaiting) return Promise.reject(new SuppressionBusy());
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, years: years, minCell, budgetMs: this.options.budgetMs }, resolve, reject });
      this.dispatch();
    });
  };

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? (this.started < this.options.threads ? this.start() : undefined);
      if (!worker) return;
      const waiting = this.queue.shift()!;
      this.busy.set(worker, waiting);
      worker.postMessage(waiting.job);
    }
  }

  private start(): Worker {
    this.started++;
    const worker = new Worker(this.workerFile, { resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb ?? SUPPRESSION_HEAP_MB } });
    worker.unref();
    worker.on('message', (message: { id: number; result?: SuppressedTables<object, object>; error?: string }) => {
      const waiting = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      if (waiting) {
        if (message.error !== undefined) waiting.reject(new Error(message.error));
        else waiting.resolve(message.result!);
      }
      this.dispatch();
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', () => this.lost(worker, new Error('the suppression thread stopped')));
    return worker;
  }

  /** A thread that died takes its table with it; the next table starts a new thread. */
  private lost(worker: Worker, error: Error): void {
    if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') error = new SuppressionTooLarge();
    const waiting = this.busy.get(worker);
    if (!this.busy.delete(worker) && !this.idle.includes(worker)) return;
    const at = this.idle.indexOf(worker);
    if (at !== -1) this.idle.splice(at, 1);
    this.started--;
    waiting?.reject(error);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { reject } of this.queue.splice(0)) reject(new Error('shutting down'));
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
