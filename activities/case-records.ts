/**
 * What the case workflow writes to PostgreSQL: the case row the API lists and filters, the append-only audit log, and
 * the departments' review tasks. Every write is idempotent on retry (unique keys + ON CONFLICT), so a worker dying
 * between the write and the activity's completion duplicates nothing.
 */
import { log } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AutomaticCheckResult, CaseStatus, Department } from '../domain/types';
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

export interface ReviewTaskUpdate {
  caseNo: string;
  stepId: string;
  round: number;
  status?: 'closed' | 'cancelled';
  decision?: string;
  reminded?: boolean;
  overdue?: boolean;
}

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

export const reviewTaskId = (caseNo: string, stepId: string, round: number) => `${caseNo}:${stepId}:${round}`;

type Executor = Pick<EntityManager, 'execute'>;

/** Idempotent: the (case, step, round) unique key makes a retried insert a no-op. */
async function insertReviewTask(db: Executor, t: ReviewTaskOpening): Promise<string> {
  const id = reviewTaskId(t.caseNo, t.stepId, t.round);
  await db.execute(
    `insert into review_task (id, case_no, service_code, step_id, round, department, status, deadline, reminded,
       overdue, automatic_report, created_at)
     values (?, ?, ?, ?, ?, ?, 'open', ?, false, false, ?, now())
     on conflict (case_no, step_id, round) do nothing`,
    [id, t.caseNo, t.serviceCode, t.stepId, t.round, t.department, new Date(t.deadlineMs), t.automaticReport ? JSON.stringify(t.automaticReport) : null],
  );
  // The notification channel (SMS / the departments' work portal) is outside this platform: it reads this log line.
  log.info('review task opened: department notified', { taskId: id, department: t.department });
  return id;
}

async function applyReviewTaskUpdate(db: Executor, u: ReviewTaskUpdate): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (u.status) {
    set('status', u.status);
    sets.push('closed_at = coalesce(closed_at, now())');
  }
  if (u.decision) set('decision', u.decision);
  if (u.reminded !== undefined) set('reminded', u.reminded);
  if (u.overdue !== undefined) set('overdue', u.overdue);
  if (sets.length === 0) return;
  values.push(reviewTaskId(u.caseNo, u.stepId, u.round));
  await db.execute(`update review_task set ${sets.join(', ')} where id = ?`, values);
}

export function createCaseRecordActivities(deps: { orm: MikroORM }) {
  return classifyAll({
    async recordCaseProgress(p: CaseProgress): Promise<void> {
      const s = p.snapshot;
      // Statements go through the transaction's EntityManager (`tx.execute`), so they run on its connection, inside it.
      await deps.orm.em.fork().transactional(async (tx) => {
        await tx.execute(
          `insert into case_event (case_no, seq, type, actor, payload, at) values (?, ?, ?, ?, ?, ?)
           on conflict (case_no, seq) do nothing`,
          [p.caseNo, p.seq, p.type, p.actor, JSON.stringify(p.payload), new Date(p.atMs)],
        );
        if (p.tasks?.open) await insertReviewTask(tx, p.tasks.open);
        for (const u of p.tasks?.update ?? []) await applyReviewTaskUpdate(tx, u);
        // Only move the row forward: a retried older event never overwrites a newer snapshot. A progress record that
        // succeeds also clears the needs-attention flag: the case moves again.
        await tx.execute(
          `update one_stop_case set status = ?, pending_departments = ?, deadline = ?, deadline_provisional = ?,
             overdue = ?, paused_working_days = ?, completed_at = ?, outcome_reasons = ?, updated_at = ?,
             last_event_seq = ?, attention_reason = null, attention_since = null
           where case_no = ? and last_event_seq < ?`,
          [
            s.status,
            JSON.stringify(s.pendingDepartments),
            new Date(s.deadlineMs),
            s.deadlineProvisional,
            s.overdue,
            s.pausedWorkingDays,
            s.completedAtMs === null ? null : new Date(s.completedAtMs),
            JSON.stringify(s.reasons),
            new Date(p.atMs),
            p.seq,
            p.caseNo,
            p.seq,
          ],
        );
      });
      log.info('case progress', { caseNo: p.caseNo, seq: p.seq, type: p.type, status: s.status });
    },

    async openReviewTask(t: ReviewTaskOpening): Promise<{ taskId: string }> {
      return { taskId: await insertReviewTask(deps.orm.em.fork(), t) };
    },

    async updateReviewTask(u: ReviewTaskUpdate): Promise<void> {
      await applyReviewTaskUpdate(deps.orm.em.fork(), u);
    },

    /**
     * Writes the audit entry of a needs-attention flag or an ops retry, and sets the case row's flag. The row's
     * `last_event_seq` is left alone: the failed record (an earlier seq) must still be able to move the row when ops
     * retry it, and that successful write clears the flag.
     */
    async recordAttention(a: AttentionRecord): Promise<void> {
      await deps.orm.em.fork().transactional(async (tx) => {
        await tx.execute(
          `insert into case_event (case_no, seq, type, actor, payload, at) values (?, ?, ?, ?, ?, ?)
           on conflict (case_no, seq) do nothing`,
          [a.caseNo, a.seq, a.type, a.actor, JSON.stringify({ ...a.detail, reason: a.reason }), new Date(a.atMs)],
        );
        if (a.type === 'needs_attention') {
          await tx.execute('update one_stop_case set attention_reason = ?, attention_since = ? where case_no = ?', [a.reason.slice(0, 500), new Date(a.atMs), a.caseNo]);
        }
      });
      log.warn(a.type === 'needs_attention' ? 'case needs attention' : 'case retried by ops', { caseNo: a.caseNo, seq: a.seq, reason: a.reason });
    },
  });
}
