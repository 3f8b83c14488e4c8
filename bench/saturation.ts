/**
 * The saturation search: run a phase at rising concurrency (cases in flight, closed loop) until its throughput stops
 * rising, and keep the curve. Used for both phases (platform and bare baseline), so the ratio compares each at its
 * own best, not both at an arbitrary concurrency.
 *
 * Throughput of a step is its steady state: completions between the first completion (the pipeline is full) and the
 * moment the last case was handed out (from then on fewer than C cases are in flight, the step is draining), divided
 * by that window. Each step then drains (every case it started completes), so the step's CPU covers whole cases and
 * CPU per case = the stack's CPU seconds over the step ÷ the cases it completed.
 */
import type { CpuReport } from './cpu';
import { stackSeconds } from './cpu';

export interface StepMeasure {
  concurrency: number;
  cases: number;
  completed: number;
  failed: number;
  /** Wall time of the step, drain included, s. */
  seconds: number;
  /** Steady-state throughput, cases/s. */
  throughput: number;
  /** How it was measured: the steady window, or the whole step when the window was too short. */
  window: 'steady' | 'whole step';
  cpu: CpuReport;
  /** The stack's CPU seconds (load driver and PostgreSQL's shared processes excluded) per completed case. */
  cpuPerCase: number;
  /** CPU seconds per completed case of each part. */
  cpuPerCasePart: Record<string, number>;
  /** Per-call latency summaries of the step (closed loop: they grow with concurrency). */
  latency?: Record<string, { p50: number; p99: number; count: number } | undefined>;
}

export function steadyThroughput(completions: number[], startedAt: number, lastHandoutAt: number, finishedAt: number): { throughput: number; window: StepMeasure['window'] } {
  const sorted = [...completions].sort((a, b) => a - b);
  const first = sorted[0];
  if (first !== undefined && lastHandoutAt > first) {
    const inWindow = sorted.filter((t) => t > first && t <= lastHandoutAt).length;
    const seconds = (lastHandoutAt - first) / 1000;
    if (inWindow >= 3 && seconds >= 1) return { throughput: inWindow / seconds, window: 'steady' };
  }
  return { throughput: completions.length / Math.max(0.001, (finishedAt - startedAt) / 1000), window: 'whole step' };
}

export function measureStep(o: {
  concurrency: number;
  cases: number;
  completions: number[];
  failed: number;
  startedAt: number;
  lastHandoutAt: number;
  finishedAt: number;
  cpu: CpuReport;
  latency?: StepMeasure['latency'];
}): StepMeasure {
  const { throughput, window } = steadyThroughput(o.completions, o.startedAt, o.lastHandoutAt, o.finishedAt);
  const completed = o.completions.length;
  const per = (v: number) => (completed > 0 ? v / completed : NaN);
  return {
    concurrency: o.concurrency,
    cases: o.cases,
    completed,
    failed: o.failed,
    seconds: (o.finishedAt - o.startedAt) / 1000,
    throughput,
    window,
    cpu: o.cpu,
    cpuPerCase: per(stackSeconds(o.cpu)),
    cpuPerCasePart: Object.fromEntries(Object.entries(o.cpu.parts).map(([k, v]) => [k, per(v)])),
    ...(o.latency ? { latency: o.latency } : {}),
  };
}

export interface SaturationResult {
  steps: StepMeasure[];
  /** The step with the highest throughput. */
  saturation: StepMeasure;
  stoppedBecause: string;
}

/**
 * Runs `run(c)` for c along the ladder; stops when `patience` steps in a row (default 2) gain less than `minGain` over
 * the best so far (or fall), when the ladder ends, or when `budgetMs` (from `since`) would be overrun by another step.
 * One step without gain is not enough: below saturation a closed loop's throughput is latency-bound and one noisy
 * step on a shared machine can dip (seen: 4.18 cases/s at 4 in flight, 4.03 at 8, with the machine 75 % busy).
 */
export async function searchSaturation(o: {
  ladder: number[];
  run: (concurrency: number) => Promise<StepMeasure>;
  minGain?: number;
  patience?: number;
  budgetMs?: number;
  since?: number;
  say?: (line: string) => void;
}): Promise<SaturationResult> {
  const minGain = o.minGain ?? 0.05;
  const patience = o.patience ?? 2;
  let flat = 0;
  const steps: StepMeasure[] = [];
  let stoppedBecause = 'the ladder ended';
  for (const c of o.ladder) {
    const s = await o.run(c);
    steps.push(s);
    const before = steps.slice(0, -1).reduce((m, x) => Math.max(m, x.throughput), 0);
    const gain = before > 0 ? s.throughput / before - 1 : Infinity;
    o.say?.(
      `  ${c} in flight: ${s.throughput.toFixed(2)} cases/s (${s.window}${before > 0 ? `, ${gain >= 0 ? '+' : ''}${(gain * 100).toFixed(0)}% over the best before` : ''}), ${s.cpuPerCase.toFixed(3)} CPU s per case, machine ${(s.cpu.machineBusy * 100).toFixed(0)}% busy`,
    );
    if (s.completed === 0) {
      stoppedBecause = `no case completed at ${c} in flight`;
      break;
    }
    flat = before > 0 && gain < minGain ? flat + 1 : 0;
    if (flat >= patience) {
      stoppedBecause = `${patience === 1 ? `${c} in flight` : `${patience} steps in a row up to ${c} in flight`} gained < ${(minGain * 100).toFixed(0)}% over the best before`;
      break;
    }
    if (o.budgetMs !== undefined && Date.now() - (o.since ?? 0) + s.seconds * 1000 * 1.8 > o.budgetMs) {
      stoppedBecause = `time budget (${(o.budgetMs / 1000).toFixed(0)} s): the next step would overrun it`;
      break;
    }
  }
  const saturation = steps.reduce((best, s) => (s.throughput > best.throughput ? s : best), steps[0]!);
  return { steps, saturation, stoppedBecause };
}
