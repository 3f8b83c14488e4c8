/**
 * The retention purge, started daily by a Temporal Schedule (worker/schedules.ts). A shell around one activity: it
 * purges in bounded batches until nothing expired is left, at most MAX_BATCHES per run (the next run continues), so a
 * run never grows a large history and a backlog shows up as runs that hit the cap.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createRetentionActivities, RetentionPurgeBatch, RetentionPurgeInput } from '../activities/retention';

const { purgeExpiredPersonalData } = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  startToCloseTimeout: '2 minutes',
  // Transient database trouble retries; a deterministic failure (activities/errors.ts) fails the run, visibly, and
  // tomorrow's run tries again.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export const RETENTION_MAX_BATCHES = 200;

export interface RetentionPurgeResult {
  casesPurged: number;
  archivedDeleted: number;
  batches: number;
  /** True when the run stopped at RETENTION_MAX_BATCHES with more to do. */
  capped: boolean;
}

export async function retentionPurgeWorkflow(input: RetentionPurgeInput): Promise<RetentionPurgeResult> {
  const total: RetentionPurgeResult = { casesPurged: 0, archivedDeleted: 0, batches: 0, capped: false };
  let batch: RetentionPurgeBatch;
  do {
    batch = await purgeExpiredPersonalData(input);
    total.casesPurged += batch.casesPurged;
    total.archivedDeleted += batch.archivedDeleted;
    total.batches += 1;
  } while (batch.more && total.batches < RETENTION_MAX_BATCHES);
  total.capped = batch.more;
  return total;
}
