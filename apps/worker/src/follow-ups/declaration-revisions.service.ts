import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DeclarationRevisions } from '#application/declaration-revisions.js';

/** How often an empty queue is looked at again. */
const POLL_MS = 100;
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
    while (this.running) {
      let pause = POLL_MS;
      try {
        const round = await this.revisions.runOnce();
        if (round.declarations > 0) {
          pause = 0;
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
