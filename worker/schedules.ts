/**
 * Temporal Schedules the platform needs, created (or brought in line with the configuration) idempotently at every
 * worker start: two workers starting together, or a restart, never make a second schedule.
 *
 * The retention purge (workflows/retention.ts) runs daily at 03:17 Shanghai time, outside office hours; a run that is
 * still going when the next is due is skipped, and a run missed during an outage is caught up within a day.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type Connection, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { RetentionPurgeInput } from '../activities/retention';
import type { AppConfig } from '../infra/config';
import { connectClient } from '../infra/temporal/connection';
import type { retentionPurgeWorkflow } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'onestop-retention-purge';

export interface RetentionScheduleOptions {
  taskQueue: string;
  retention: { caseDays: number; archiveDays: number };
  scheduleId?: string;
  batchSize?: number;
}

const spec: ScheduleSpec = { calendars: [{ hour: 3, minute: 17 }], timezone: 'Asia/Shanghai' };
const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;

function action(o: RetentionScheduleOptions): ScheduleOptionsStartWorkflowAction<typeof retentionPurgeWorkflow> {
  const input: RetentionPurgeInput = { caseRetentionDays: o.retention.caseDays, archiveRetentionDays: o.retention.archiveDays, batchSize: o.batchSize ?? 500 };
  return {
    type: 'startWorkflow',
    workflowType: 'retentionPurgeWorkflow',
    workflowId: o.scheduleId ?? RETENTION_SCHEDULE_ID,
    taskQueue: o.taskQueue,
    args: [input],
    workflowExecutionTimeout: '6 hours',
    staticSummary: 'retention purge of expired personal data',
  };
}

/** Creates the retention schedule, or updates an existing one to the current configuration. */
export async function ensureRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = o.scheduleId ?? RETENTION_SCHEDULE_ID;
  try {
    await client.schedule.create({ scheduleId, spec, action: action(o), policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  // Keeps its paused state and notes (ops may have paused it); only what the configuration decides is replaced.
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action: action(o), policies }));
  return 'updated';
}

/** The worker's call at start: one short-lived client (with the payload codec, so the schedule's input is encrypted too). */
export async function ensureSchedules(cfg: AppConfig, dataConverter?: DataConverter, log: (line: string) => void = console.log): Promise<void> {
  const client = await connectClient(cfg.temporal, dataConverter);
  try {
    const outcome = await ensureRetentionSchedule(client, { taskQueue: cfg.temporal.taskQueue, retention: cfg.retention });
    log(`schedule ${RETENTION_SCHEDULE_ID} ${outcome}`);
  } finally {
    await (client.connection as Connection).close();
  }
}
