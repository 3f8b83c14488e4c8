/**
 * What the case workflow writes to PostgreSQL: the case row the API lists and filters, the append-only audit log, and
 * the departments' review tasks. Every write is idempotent on retry (unique keys + ON CONFLICT), so a worker dying
 * between the write and the activity's completion duplicates nothing. The statements live in the aggregates'
 * repositories (infra/repositories/cases.ts, review-tasks.ts); here the workflow's records are mapped onto them, and
 * errors are classified at this boundary (errors.ts).
 */
import { log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AutomaticCheckResult, CaseStatus, Department } from '../domain/types';
import * as cases from '../infra/repositories/cases';
import * as reviewTasks from '../infra/repositories/review-tasks';
import type { ReviewTaskChange } from '../infra/repositories/review-tasks';
import { classifyAll } from './errors';

export interface CaseSnapshot {
  status: CaseStatus;
  pendingDepartments: Department[];
  deadlineMs: number;
  deadlineProvisional: boolean;
  overdue: boolean;
  pausedWorkingDays: number;
  completedAtMs: number | null;
  reasons: string[];
}

export interface CaseProgress {
  caseNo: string;
  seq: number;
  type: string;
  actor: string | null;
  payload: Record<string, unknown>;
  atMs: number;
  snapshot: CaseSnapshot;
  /** Review-task writes that belong to this transition, committed in the same transaction. */
  tasks?: { open?: ReviewTaskOpening; update?: ReviewTaskUpdate[] };
}

export interface ReviewTaskOpening {
  caseNo: string;
  serviceCode: string;
  stepId: string;
  round: number;
  department: Department;
  deadlineMs: number;
  automaticReport: AutomaticCheckResult | null;
}

/** What a transition changes on a review task: the repository's own type, so the two cannot drift. */
export type ReviewTaskUpdate = ReviewTaskChange;

/**
 * The needs-attention flag and the ops retry, written apart from the progress record: only safe data (a reason built
 * from a failure type and an operation name, ids), so it still succeeds when the original write cannot.
 */
export interface AttentionRecord {
  caseNo: string;
  seq: number;
  type: 'needs_attention' | 'attention_retry';
  /** needs_attention: the safe reason; attention_retry: who asked (with the request id and note in `detail`). */
  reason: string;
  actor: string | null;
  detail: Record<string, string>;
  atMs: number;
}

const newTask = (t: ReviewTaskOpening): reviewTasks.NewReviewTask => ({
  caseNo: t.caseNo,
  serviceCode: t.serviceCode,
  stepId: t.stepId,
  round: t.round,
  department: t.department,
  deadline: new Date(t.deadlineMs),
  automaticReport: t.automaticReport as Record<string, unknown> | null,
});

/** The notification channel (SMS / the departments' work portal) is outside this platform: it reads this log line. */
const notifyDepartment = (t: ReviewTaskOpening) =>
  log.info('review task opened: department notified', { taskId: reviewTasks.reviewTaskId(t.caseNo, t.stepId, t.round), department: t.department });

export function createCaseRecordActivities(deps: { orm: MikroORM }) {
  return classifyAll({
    async recordCaseProgress(p: CaseProgress): Promise<void> {
      const s = p.snapshot;
      // One transaction for the audit entry, the review tasks and the case row (see `recordCaseProgress` there).
      await cases.recordCaseProgress(deps.orm.em.fork(), {
        event: { caseNo: p.caseNo, seq: p.seq, type: p.type, actor: p.actor, payload: p.payload, at: new Date(p.atMs) },
        snapshot: {
          status: s.status,
          pendingDepartments: s.pendingDepartments,
          deadline: new Date(s.deadlineMs),
          deadlineProvisional: s.deadlineProvisional,
          overdue: s.overdue,
          pausedWorkingDays: s.pausedWorkingDays,
          completedAt: s.completedAtMs === null ? null : new Date(s.completedAtMs),
          outcomeReasons: s.reasons,
          updatedAt: new Date(p.atMs),
        },
        ...(p.tasks?.open ? { openTask: newTask(p.tasks.open) } : {}),
        ...(p.tasks?.update ? { taskChanges: p.tasks.update } : {}),
      });
      if (p.tasks?.open) notifyDepartment(p.tasks.open);
      log.info('case progress', { caseNo: p.caseNo, seq: p.seq, type: p.type, status: s.status });
    },

    async openReviewTask(t: ReviewTaskOpening): Promise<{ taskId: string }> {
      const taskId = await reviewTasks.openReviewTask(deps.orm.em.fork(), newTask(t));
      notifyDepartment(t);
      return { taskId };
    },

    async updateReviewTask(u: ReviewTaskUpdate): Promise<void> {
      await reviewTasks.updateReviewTask(deps.orm.em.fork(), u);
    },

    /**
     * Writes the audit entry of a needs-attention flag or an ops retry, and sets the case row's flag. The row's
     * `last_event_seq` is left alone: the failed record (an earlier seq) must still be able to move the row when ops
     * retry it, and that successful write clears the flag.
     */
    async recordAttention(a: AttentionRecord): Promise<void> {
      await cases.recordAttention(
        deps.orm.em.fork(),
        { caseNo: a.caseNo, seq: a.seq, type: a.type, actor: a.actor, payload: { ...a.detail, reason: a.reason }, at: new Date(a.atMs) },
        a.type === 'needs_attention' ? { reason: a.reason, since: new Date(a.atMs) } : undefined,
      );
      log.warn(a.type === 'needs_attention' ? 'case needs attention' : 'case retried by ops', { caseNo: a.caseNo, seq: a.seq, reason: a.reason });
    },
  });
}
