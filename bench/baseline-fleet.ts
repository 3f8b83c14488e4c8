/**
 * The bare baseline driven step by step for the saturation search: its worker runs in a child process
 * (bench/baseline-worker.ts) so that the stack's CPU (Temporal server, that worker, PostgreSQL) is measured apart from
 * the load driver's (this process), exactly as in the platform phase. Each step runs a list of case profiles with a
 * given number in flight (closed loop) and returns every case's completion time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerTuning } from '../infra/config';
import { PROJECT_ROOT } from '../infra/config';
import type { BaselineMode, CaseProfile } from './baseline';
import { baselineSignal, baselineStateQuery, type BaselineInput } from './baseline-workflow';
import type { BaselineWorkerMessage } from './baseline-worker';

export interface StepResult {
  startedAt: number;
  finishedAt: number;
  /** When the last case was started (from then on fewer than `concurrency` are in flight). */
  lastHandoutAt: number;
  completions: number[];
  failures: number;
}

export class BaselineFleet {
  private child?: ChildProcess;
  private readonly sendFailures: unknown[] = [];
  private mode: BaselineMode = 'bare';
  private statusPollMs = 2000;

  constructor(
    private readonly o: { client: Client; temporalAddress: string; namespace: string; taskQueue: string; databaseUrl: string; tuning: WorkerTuning; logFile: string },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    fs.mkdirSync(path.dirname(this.o.logFile), { recursive: true });
    const log = fs.openSync(this.o.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'baseline-worker.ts')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', log, log, 'ipc'],
      env: {
        ...process.env,
        BASELINE_TEMPORAL_ADDRESS: this.o.temporalAddress,
        BASELINE_NAMESPACE: this.o.namespace,
        BASELINE_TASK_QUEUE: this.o.taskQueue,
        BASELINE_DATABASE_URL: this.o.databaseUrl,
        BASELINE_TUNING: JSON.stringify(this.o.tuning),
      },
    });
    fs.closeSync(log);
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the baseline worker exited (${code}) during start; see ${this.o.logFile}`));
      child.once('exit', onExit);
      child.on('message', (m: BaselineWorkerMessage) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          resolve();
        } else if (m.type === 'ready-for') this.onReady(m.workflowId, m.signalNo);
      });
    });
  }

  /** What a reviewer does on seeing the task: send the case its signal (retried a few times, never twice on success). */
  private onReady(workflowId: string, signalNo: number): void {
    const queries = this.mode === 'search-attributes+queries';
    const send = async (attempt: number): Promise<void> => {
      try {
        const handle = this.o.client.workflow.getHandle(workflowId);
        if (queries) await handle.query(baselineStateQuery);
        await handle.signal(baselineSignal, { seq: signalNo });
      } catch (err) {
        if (attempt >= 5) this.sendFailures.push(err);
        else await new Promise((r) => setTimeout(r, 200 * attempt)).then(() => send(attempt + 1));
      }
    };
    void send(1);
  }

  async runStep(o: { profiles: (Pick<CaseProfile, 'phases' | 'upserts'> & { kinds?: string[] })[]; concurrency: number; runId: string; mode?: BaselineMode; statusPollMs?: number; onProgress?: (done: number) => void }): Promise<StepResult> {
    this.mode = o.mode ?? 'bare';
    this.statusPollMs = o.statusPollMs ?? 2000;
    const queries = this.mode === 'search-attributes+queries';
    const failuresBefore = this.sendFailures.length;
    const completions: number[] = [];
    let next = 0;
    let failures = 0;
    let lastHandoutAt = 0;
    const startedAt = Date.now();
    const slot = async () => {
      while (next < o.profiles.length) {
        const i = next++;
        lastHandoutAt = Date.now();
        const id = `baseline-${o.runId}-${i}`;
        const profile = o.profiles[i]!;
        // `kinds` (local or task, per activity) when the profile has them: the baseline then runs the same mix.
        const input: BaselineInput & { kinds?: string[] } = {
          id,
          phases: profile.phases,
          ...(this.mode !== 'bare' ? { upserts: profile.upserts } : {}),
          ...(profile.kinds ? { kinds: profile.kinds } : {}),
        };
        try {
          const handle = await this.o.client.workflow.start('baselineWorkflow', { workflowId: id, taskQueue: this.o.taskQueue, args: [input] });
          const result = handle.result();
          // "+ queries": the applicant's status check, every statusPollMs while the case runs.
          while (queries) {
            const woke = await Promise.race([result.then(() => 'done'), new Promise((r) => setTimeout(() => r('check'), this.statusPollMs))]);
            if (woke === 'done') break;
            await handle.query(baselineStateQuery).catch(() => undefined);
          }
          await result;
          completions.push(Date.now());
        } catch {
          failures += 1;
        }
        o.onProgress?.(completions.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, o.profiles.length) }, slot));
    return { startedAt, finishedAt: Date.now(), lastHandoutAt, completions, failures: failures + this.sendFailures.length - failuresBefore };
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await done;
    clearTimeout(timer);
  }
}
