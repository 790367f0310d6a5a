import { Global, Module } from '@nestjs/common';
import { Directory, type Caseloads } from '#directory/directory.js';
import type { Clock } from '#platform/clock.js';
import { CLOCK, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { MembersController } from './members.controller.js';
import { OrganisationsController } from './organisations.controller.js';

/** Whether a coach still has workers, from the caseload read model (what `coach-has-caseload` asks). */
export const caseloadWorkers: Caseloads = {
  async hasWorkers(tx: SqlClient, coach: string): Promise<boolean> {
    const { rowCount } = await tx.query('SELECT 1 FROM caseload_workers WHERE coach = $1 LIMIT 1', [coach]);
    return rowCount > 0;
  },
};

/** The directory (organisations and members) and its API; global, since the worker routes resolve coaches and employers in it. */
@Global()
@Module({
  controllers: [OrganisationsController, MembersController],
  providers: [
    {
      provide: Directory,
      inject: [SQL_DATABASE, CLOCK],
      useFactory: (db: SqlDatabase, clock: Clock) => new Directory(db, clock, caseloadWorkers),
    },
  ],
  exports: [Directory],
})
export class DirectoryModule {}
