/**
 * The baseline's one activity: a trivial INSERT into PostgreSQL through the same ORM connection pool the platform's
 * activities use (MikroORM, pool of 10), so the baseline pays the same kind of I/O per activity, without the
 * platform's transaction, snapshot update or other logic.
 */
import type { MikroORM } from '@mikro-orm/postgresql';

export const BASELINE_TABLE = 'bench_baseline_event';

export async function ensureBaselineTable(orm: MikroORM): Promise<void> {
  await orm.em
    .fork()
    .getConnection()
    .execute(`create table if not exists ${BASELINE_TABLE} (workflow_id varchar(96) not null, seq int not null, at timestamptz not null, primary key (workflow_id, seq))`);
}

export function createBaselineActivities(deps: { orm: MikroORM; onReady: (workflowId: string, signalNo: number) => void }) {
  return {
    async baselineStep(s: { workflowId: string; seq: number; readyFor?: number }): Promise<void> {
      await deps.orm.em
        .fork()
        .getConnection()
        .execute(`insert into ${BASELINE_TABLE} (workflow_id, seq, at) values (?, ?, now()) on conflict do nothing`, [s.workflowId, s.seq]);
      if (s.readyFor !== undefined) deps.onReady(s.workflowId, s.readyFor);
    },
  };
}
