/**
 * The baseline phase: the same cases, with the same concurrency, as bare Temporal workflows driven by the raw client
 * (see baseline-workflow.ts), on a worker created here, in the bench process, on its own task queue of the same
 * Temporal server. Also: reading a platform case's history into the profile the baseline copies.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { WorkerTuning } from '../infra/config';
import { createBaselineActivities, ensureBaselineTable } from './baseline-activities';
import { baselineSignal, baselineStateQuery, type BaselineInput } from './baseline-workflow';

/**
 * bare: signals and activities only (the baseline of the ratio). The breakdown adds, one at a time, what the platform
 * does on top: the same search-attribute upserts; then the same queries the API sends (one before each signal, as a
 * decision does, and one every `statusPollMs` while the case runs, as an applicant's status check does).
 */
export type BaselineMode = 'bare' | 'search-attributes' | 'search-attributes+queries';

const EventType = temporal.api.enums.v1.EventType;

export interface CaseProfile {
  signals: number;
  activities: number;
  timers: number;
  workflowTasks: number;
  /** History events in all, and by type (EVENT_TYPE_… without the prefix). */
  events: number;
  eventTypes: Record<string, number>;
  /** Activities before the first signal, then after each signal (the baseline runs the same phases). */
  phases: number[];
  /** Local activities in all (markers `core_local_activity`): the platform's progress records since its v9. */
  localActivities: number;
  /** Per phase, the kind of each activity in history order: `L` local, `R` an activity task (baseline-workflow.ts). */
  kinds: string[];
  /** Search-attribute upserts in the same phases. */
  upserts: number[];
}

/** Counts a finished platform case's signals, activities, timers and workflow tasks, and splits activities by signal. */
export async function profileOf(client: Client, workflowId: string): Promise<CaseProfile> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const p: CaseProfile = { signals: 0, activities: 0, localActivities: 0, timers: 0, workflowTasks: 0, events: 0, eventTypes: {}, phases: [0], kinds: [''], upserts: [0] };
  for (const e of history.events ?? []) {
    const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    p.events += 1;
    p.eventTypes[name] = (p.eventTypes[name] ?? 0) + 1;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        p.activities += 1;
        p.phases[p.phases.length - 1]! += 1;
        p.kinds[p.kinds.length - 1] += 'R';
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (e.markerRecordedEventAttributes?.markerName !== 'core_local_activity') break;
        p.localActivities += 1;
        p.phases[p.phases.length - 1]! += 1;
        p.kinds[p.kinds.length - 1] += 'L';
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        p.signals += 1;
        p.phases.push(0);
        p.kinds.push('');
        p.upserts.push(0);
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        p.upserts[p.upserts.length - 1]! += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        p.timers += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        p.workflowTasks += 1;
        break;
      default:
    }
  }
  // A signal that arrived while activities were still running leaves an empty phase: the baseline needs at least one
  // activity before each wait (it is what tells the driver the case is ready), so borrow one from a later phase.
  for (let i = 0; i < p.phases.length - 1; i++) {
    if (p.phases[i]! > 0) continue;
    const j = p.phases.findIndex((n, k) => k > i && n > 0);
    if (j < 0) throw new Error(`${workflowId}: fewer activities than signals; cannot build a baseline profile`);
    p.phases[j]! -= 1;
    p.phases[i]! += 1;
    p.kinds[i] = p.kinds[j]!.slice(0, 1);
    p.kinds[j] = p.kinds[j]!.slice(1);
  }
  return p;
}

export interface BaselineResult {
  /** The history of the baseline's first workflow, counted the same way as a platform case's. */
  sample?: CaseProfile;
  completed: number;
  elapsedMs: number;
  failures: number;
}

export interface BaselineOptions {
  client: Client;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  orm: MikroORM;
  profiles: (Pick<CaseProfile, 'phases' | 'upserts'> & Partial<Pick<CaseProfile, 'kinds'>>)[];
  mode?: BaselineMode;
  statusPollMs?: number;
  concurrency: number;
  tuning: WorkerTuning;
  runId: string;
  onProgress?: (done: number) => void;
}

export async function runBaseline(o: BaselineOptions): Promise<BaselineResult> {
  await ensureBaselineTable(o.orm);
  const signalFailures: unknown[] = [];
  const mode = o.mode ?? 'bare';
  const queries = mode === 'search-attributes+queries';
  const onReady = (workflowId: string, signalNo: number) => {
    // What a reviewer does on seeing the task: send the case its signal (retried a few times, never twice on success).
    const send = async (attempt: number): Promise<void> => {
      try {
        const handle = o.client.workflow.getHandle(workflowId);
        if (queries) await handle.query(baselineStateQuery);
        await handle.signal(baselineSignal, { seq: signalNo });
      } catch (err) {
        if (attempt >= 5) signalFailures.push(err);
        else await new Promise((r) => setTimeout(r, 200 * attempt)).then(() => send(attempt + 1));
      }
    };
    void send(1);
  };
  const connection = await NativeConnection.connect({ address: o.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: createBaselineActivities({ orm: o.orm, onReady }),
    maxConcurrentWorkflowTaskExecutions: o.tuning.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: o.tuning.maxConcurrentActivityTaskExecutions,
    maxCachedWorkflows: o.tuning.maxCachedWorkflows,
  });
  const running = worker.run();
  let next = 0;
  let completed = 0;
  let failures = 0;
  const started = Date.now();
  try {
    const slot = async () => {
      while (next < o.profiles.length) {
        const i = next++;
        const id = `baseline-${o.runId}-${i}`;
        const profile = o.profiles[i]!;
        const input: BaselineInput = { id, phases: profile.phases, ...(profile.kinds ? { kinds: profile.kinds } : {}), ...(mode !== 'bare' ? { upserts: profile.upserts } : {}) };
        try {
          const handle = await o.client.workflow.start('baselineWorkflow', { workflowId: id, taskQueue: o.taskQueue, args: [input] });
          const result = handle.result();
          // "+ queries": the applicant's status check, every statusPollMs while the case runs.
          while (queries) {
            const woke = await Promise.race([result.then(() => 'done'), new Promise((r) => setTimeout(() => r('check'), o.statusPollMs ?? 2000))]);
            if (woke === 'done') break;
            await handle.query(baselineStateQuery).catch(() => undefined);
          }
          await result;
          completed += 1;
        } catch {
          failures += 1;
        }
        o.onProgress?.(completed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, o.profiles.length) }, slot));
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
  const elapsedMs = Date.now() - started;
  const sample = completed > 0 ? await profileOf(o.client, `baseline-${o.runId}-0`).catch(() => undefined) : undefined;
  return { completed, elapsedMs, failures: failures + signalFailures.length, sample };
}
