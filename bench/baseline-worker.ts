/**
 * The bare baseline's worker as a process of its own (spawned by bench/baseline-fleet.ts), so that its CPU is measured
 * apart from the load driver's, as the platform's worker is. It runs exactly what bench/baseline.ts's in-process
 * worker runs: baseline-workflow.ts and baseline-activities.ts with the platform worker's tuning. When an activity says
 * a case is ready for its next signal, it tells the parent over IPC (the parent plays the reviewer and signals).
 *
 * Environment: BASELINE_TEMPORAL_ADDRESS, BASELINE_NAMESPACE, BASELINE_TASK_QUEUE, BASELINE_DATABASE_URL,
 * BASELINE_TUNING (JSON WorkerTuning).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { WorkerTuning } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { createBaselineActivities, ensureBaselineTable } from './baseline-activities';

export type BaselineWorkerMessage = { type: 'ready' } | { type: 'ready-for'; workflowId: string; signalNo: number };

async function main(): Promise<void> {
  const env = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is required`);
    return v;
  };
  const send = (m: BaselineWorkerMessage) => process.send?.(m);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tuning = JSON.parse(env('BASELINE_TUNING')) as WorkerTuning;
  const orm = await openOrm(env('BASELINE_DATABASE_URL'));
  await ensureBaselineTable(orm);
  const connection = await NativeConnection.connect({ address: env('BASELINE_TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: env('BASELINE_NAMESPACE'),
    taskQueue: env('BASELINE_TASK_QUEUE'),
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: createBaselineActivities({ orm, onReady: (workflowId, signalNo) => send({ type: 'ready-for', workflowId, signalNo }) }),
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
  });
  // The parent disconnecting (it ended, or was killed) ends this worker too.
  process.once('disconnect', () => worker.shutdown());
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  send({ type: 'ready' });
  try {
    await running;
  } finally {
    await connection.close();
    await orm.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
