import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The service's built processes (dist/), started as an orchestrator starts replicas.
 * `SERVICE_DIST` points at another build (used to run a test against an older release).
 */
const DIST = process.env.SERVICE_DIST ?? 'dist';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  child!: ChildProcess;
  log = '';
  /** every exit of this replica, in order (one per start) */
  readonly exits: ProcessExit[] = [];
  private exited!: Promise<ProcessExit>;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly kind: 'api' | 'worker',
    private readonly env: Record<string, string>,
    /** the API's PORT, or the worker's WORKER_HEALTH_PORT */
    readonly port: number | null,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): this {
    const script = this.kind === 'api' ? join(DIST, 'apps/api/src/main.js') : join(DIST, 'apps/worker/src/main.js');
    const args = this.kind === 'api' ? [script, '--mode=api'] : [script];
    this.log += `\n--- start ${this.name} ---\n`;
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        ...this.env,
        ...(this.port ? { [this.kind === 'api' ? 'PORT' : 'WORKER_HEALTH_PORT']: String(this.port), HOST: '127.0.0.1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const append = (chunk: Buffer) => {
      this.log += chunk.toString();
      for (const listener of this.listeners) listener();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exits.push(exit);
        for (const listener of this.listeners) listener();
        resolve(exit);
      }),
    );
    return this;
  }

  /** Resolves when `pattern` appears in the log of the current start; fails when the process exits first or after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs = 30_000, from = this.log.lastIndexOf(`--- start ${this.name} ---`)): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.log.slice(from))) return done();
        if (!this.running) return done(new Error(`${this.name} exited before logging ${pattern}:\n${this.log.slice(-4000)}`));
      };
      const timer = setTimeout(() => done(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.log.slice(-4000)}`)), timeoutMs);
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits until the replica is ready: its `/health` (the API's, or the worker's health listener) answers 200. */
  async ready(timeoutMs = 45_000): Promise<void> {
    if (this.port === null) return this.waitForLog(/trajectory worker running/, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      if (!this.running) throw new Error(`${this.name} exited while starting:\n${this.log.slice(-4000)}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not healthy within ${timeoutMs} ms:\n${this.log.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`, reported as such). */
  async stop(timeoutMs = 25_000): Promise<ProcessExit> {
    if (!this.running) return this.exits.at(-1) ?? { code: null, signal: null };
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  terminate(): void {
    if (this.running) this.child.kill('SIGTERM');
  }

  waitForExit(): Promise<ProcessExit> {
    return this.exited;
  }
}

/** A graceful exit: the shutdown hooks ran and the process re-raised SIGTERM (or exited 0). */
export const cleanExit = (exit: ProcessExit) => exit.signal === 'SIGTERM' || exit.code === 0;
