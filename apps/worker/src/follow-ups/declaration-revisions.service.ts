import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DeclarationRevisions } from '#application/declaration-revisions.js';

/** How soon an empty queue is looked at again; each further empty look doubles it, up to MAX_POLL_MS. */
const POLL_MS = 100;
/** Imports of declarations are rare: an idle worker looked 10 times a second, a write statement each. */
const MAX_POLL_MS = 800;
/** After a failed round (the event store or the database away). */
const RETRY_MS = 2_000;

/**
 * Works off the queue of imported declarations in the worker process: revises the provisional
 * six-month results they cover (DeclarationRevisions). The queue is a table, so nothing is lost
 * while no worker runs; any number of workers share it (leases).
 */
@Injectable()
export class DeclarationRevisionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeclarationRevisions');
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(readonly revisions: DeclarationRevisions) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.work();
  }

  /** The round in progress finishes (its revisions are commands; an unfinished batch is taken again later). */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async work(): Promise<void> {
    let idle = POLL_MS;
    while (this.running) {
      let pause = idle;
      try {
        const round = await this.revisions.runOnce();
        idle = Math.min(idle * 2, MAX_POLL_MS);
        if (round.declarations > 0) {
          pause = 0;
          idle = POLL_MS;
          if (round.revised > 0) this.logger.log(`${round.revised} provisional results revised by ${round.declarations} declarations`);
        }
      } catch (error) {
        this.logger.error(`revision round failed; retrying: ${error instanceof Error ? error.message : String(error)}`);
        pause = RETRY_MS;
      }
      if (pause > 0 && this.running) await new Promise<void>((resolve) => setTimeout((this.wake = resolve), pause));
    }
  }
}
