/**
 * The benchmark's baseline: the least a Temporal application can do for one case. It receives the same number of
 * signals and runs the same number of activities as a platform case of the same kind (counted from a finished
 * platform case's history), in the same phases: the activities before the first signal, then after each signal the
 * activities the platform ran after it. No API, no queries, no timers, no search attributes, no bookkeeping.
 *
 * The last activity before each wait tells the driver (in the bench process) that the case is ready for its next
 * signal, as the review task row tells a platform reviewer.
 *
 * For the overhead breakdown (`npm run bench -- --breakdown`) it can also upsert the same search attributes as often
 * as the platform case did in each phase (`upserts`), and answer the driver's queries.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { condition, defineQuery, defineSignal, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { createBaselineActivities } from './baseline-activities';

export const baselineSignal = defineSignal<[{ seq: number }]>('baselineSignal');
/** Only the breakdown's "+ queries" run asks it, as the API asks a case for its state. */
export const baselineStateQuery = defineQuery<{ received: number; seq: number }>('baselineState');

// The platform's keys (registered on the dev server at start); the baseline writes the same four on each upsert.
const CaseStatus = defineSearchAttributeKey('CaseStatus', 'KEYWORD');
const PendingDepartments = defineSearchAttributeKey('PendingDepartments', 'KEYWORD_LIST');
const Overdue = defineSearchAttributeKey('Overdue', 'BOOL');
const CaseDeadline = defineSearchAttributeKey('CaseDeadline', 'DATETIME');

export interface BaselineInput {
  id: string;
  /** Activities per phase: phases[0] before the first signal, phases[i] after signal i. Every phase but the last has >= 1. */
  phases: number[];
  /** Search-attribute upserts per phase (breakdown only). */
  upserts?: number[];
  /**
   * The kind of each activity per phase, in the platform's order: `L` a local activity (the platform's progress
   * records and calendar reads since its v9), `R` an activity task. Without it every activity is an activity task.
   */
  kinds?: string[];
}

// The same timeouts and retry policy as the platform's recording activities.
const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { baselineStep } = proxyActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '10 seconds', retry: RETRY });
const local = proxyLocalActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '10 seconds', retry: RETRY });

export async function baselineWorkflow(input: BaselineInput): Promise<number> {
  let received = 0;
  let seq = 0;
  setHandler(baselineSignal, () => void (received += 1));
  setHandler(baselineStateQuery, () => ({ received, seq }));
  for (let phase = 0; phase < input.phases.length; phase++) {
    if (phase > 0) await condition(() => received >= phase);
    const kinds = input.kinds?.[phase];
    const n = kinds !== undefined ? kinds.length : input.phases[phase]!;
    let upserts = input.upserts?.[phase] ?? 0;
    for (let k = 0; k < n; k++) {
      seq += 1;
      const readyFor = k === n - 1 && phase < input.phases.length - 1 ? phase + 1 : undefined;
      const step = kinds?.[k] === 'L' ? local.baselineStep : baselineStep;
      await step({ workflowId: input.id, seq, ...(readyFor !== undefined ? { readyFor } : {}) });
      // Spread the phase's upserts over its activities, as the platform's record() does after its activity.
      const due = k === n - 1 ? upserts : Math.ceil(upserts / (n - k));
      for (let u = 0; u < due; u++) {
        upsertSearchAttributes([
          { key: CaseStatus, value: 'in_review' },
          { key: PendingDepartments, value: [] },
          { key: Overdue, value: false },
          { key: CaseDeadline, value: new Date(0) },
        ]);
      }
      upserts -= due;
    }
  }
  return seq;
}
