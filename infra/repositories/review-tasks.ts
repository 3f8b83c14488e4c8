/**
 * The departments' review tasks: the API reads and claims them, the workflow's activities open and close them (through
 * `openReviewTask` and `updateReviewTask`, inside the case's progress transaction: see cases.ts).
 * A task exists for a reviewer only in their own department: another department's task is not found, not forbidden.
 */
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import type { Department } from '../../domain/types';
import { ReviewTask } from '../db/entities';
import type { Caller } from './caller';

export type { ReviewTask };
export type TaskStatus = 'open' | 'closed' | 'cancelled';

/** A task as the queue lists it: the row without its automatic report (whether it has one is enough there). */
export type QueuedTask = Pick<ReviewTask, 'id' | 'caseNo' | 'serviceCode' | 'stepId' | 'round' | 'department' | 'status' | 'deadline' | 'reminded' | 'overdue' | 'claimedBy' | 'createdAt'> & {
  hasAutomaticReport: boolean;
};

/**
 * The department's queue, by deadline (tasks without one last), then oldest first. Reviewers' screens poll it, so it
 * is the API's most frequent read: one statement on the (department, status, deadline) index, reading the columns the
 * queue shows and not the check reports (which can be large), into plain objects (no entities, no identity map).
 */
export async function departmentQueue(em: EntityManager, department: Department, status: TaskStatus, limit: number): Promise<QueuedTask[]> {
  const rows = await em.getConnection().execute<
    { id: string; case_no: string; service_code: string; step_id: string; round: number; department: string; status: string; deadline: Date | null; reminded: boolean; overdue: boolean; claimed_by: string | null; created_at: Date; has_report: boolean }[]
  >(
    `select id, case_no, service_code, step_id, round, department, status, deadline, reminded, overdue, claimed_by, created_at,
            automatic_report is not null as has_report
       from review_task where department = ? and status = ? order by deadline asc nulls last, created_at asc limit ?`,
    [department, status, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    caseNo: r.case_no,
    serviceCode: r.service_code,
    stepId: r.step_id,
    round: r.round,
    department: r.department,
    status: r.status,
    deadline: r.deadline,
    reminded: r.reminded,
    overdue: r.overdue,
    claimedBy: r.claimed_by,
    createdAt: r.created_at,
    hasAutomaticReport: r.has_report,
  }));
}

export async function findTaskForReviewer(em: EntityManager, taskId: string, caller: Caller): Promise<ReviewTask | null> {
  const task = await em.findOne(ReviewTask, { id: taskId });
  return task && caller.role === 'reviewer' && task.department === caller.department ? task : null;
}

/**
 * One conditional UPDATE, so two reviewers claiming at once cannot both win: the task must be open and unclaimed (or
 * already claimed by `sub`). Returns the task as it is now, or `null` when the claim lost.
 */
export async function claimTask(em: EntityManager, taskId: string, sub: string): Promise<ReviewTask | null> {
  const n = await em.nativeUpdate(ReviewTask, { id: taskId, status: 'open', $or: [{ claimedBy: null }, { claimedBy: sub }] }, { claimedBy: sub, claimedAt: new Date() });
  return n === 0 ? null : em.findOne(ReviewTask, { id: taskId }, { refresh: true });
}

/** Releases a claim `sub` holds; `null` when they did not hold it. */
export async function releaseTask(em: EntityManager, taskId: string, sub: string): Promise<ReviewTask | null> {
  const n = await em.nativeUpdate(ReviewTask, { id: taskId, claimedBy: sub }, { claimedBy: null, claimedAt: null });
  return n === 0 ? null : em.findOne(ReviewTask, { id: taskId }, { refresh: true });
}

/** The step's latest round. */
export async function latestTaskOfStep(em: EntityManager, caseNo: string, stepId: string): Promise<ReviewTask | null> {
  return em.findOne(ReviewTask, { caseNo, stepId }, { orderBy: { round: 'desc' } });
}

/** Has a step of this department ever opened on the case? (Reviewers see a case only from then on.) */
export async function departmentHasTask(em: EntityManager, caseNo: string, department: Department): Promise<boolean> {
  return (await em.count(ReviewTask, { caseNo, department })) > 0;
}

/** The department's most recent step on the case: the purpose of a reviewer's read ("review of step X"). */
export async function latestStepOfDepartment(em: EntityManager, caseNo: string, department: Department): Promise<string | undefined> {
  const t = await em.findOne(ReviewTask, { caseNo, department }, { orderBy: { createdAt: 'desc', round: 'desc' }, fields: ['stepId'] });
  return t?.stepId;
}

/**
 * The latest round of each step of a case. Cases have a handful of tasks, so picking the latest per step here is as
 * fast as `DISTINCT ON` and needs no raw SQL.
 */
export async function latestTaskPerStep(em: EntityManager, caseNo: string): Promise<ReviewTask[]> {
  const all = await em.find(ReviewTask, { caseNo }, { orderBy: { stepId: 'asc', round: 'desc' } });
  const seen = new Set<string>();
  return all.filter((t) => !seen.has(t.stepId) && seen.add(t.stepId));
}

// ---- What the case workflow writes ----

/** A task's id: one per case, step and round, so the workflow can name a task without reading it back. */
export const reviewTaskId = (caseNo: string, stepId: string, round: number) => `${caseNo}:${stepId}:${round}`;

export interface NewReviewTask {
  caseNo: string;
  serviceCode: string;
  stepId: string;
  round: number;
  department: string;
  deadline: Date;
  automaticReport: Record<string, unknown> | null;
}

/**
 * Opens a task; idempotent: the (case, step, round) unique key makes a retried insert a no-op (`ON CONFLICT DO
 * NOTHING`, so a retry inside the progress transaction does not abort it). Returns the task's id.
 */
export async function openReviewTask(em: EntityManager, t: NewReviewTask): Promise<string> {
  const id = reviewTaskId(t.caseNo, t.stepId, t.round);
  await em
    .createQueryBuilder(ReviewTask)
    .insert({
      id,
      caseNo: t.caseNo,
      serviceCode: t.serviceCode,
      stepId: t.stepId,
      round: t.round,
      department: t.department,
      status: 'open',
      deadline: t.deadline,
      reminded: false,
      overdue: false,
      automaticReport: t.automaticReport,
      createdAt: new Date(),
    })
    .onConflict(['caseNo', 'stepId', 'round'])
    .ignore()
    .execute('run');
  return id;
}

export interface ReviewTaskChange {
  caseNo: string;
  stepId: string;
  round: number;
  status?: 'closed' | 'cancelled';
  decision?: string;
  reminded?: boolean;
  overdue?: boolean;
}

/**
 * Applies what changed; idempotent (the same values again). Closing keeps the first `closed_at`: a retried close, or a
 * cancel after a close, does not move it (`coalesce`, in the same statement).
 */
export async function updateReviewTask(em: EntityManager, u: ReviewTaskChange): Promise<void> {
  const changes: Record<string, unknown> = {};
  if (u.status) {
    changes.status = u.status;
    changes.closedAt = raw('coalesce(closed_at, now())');
  }
  if (u.decision) changes.decision = u.decision;
  if (u.reminded !== undefined) changes.reminded = u.reminded;
  if (u.overdue !== undefined) changes.overdue = u.overdue;
  if (Object.keys(changes).length === 0) return;
  await em.createQueryBuilder(ReviewTask).update(changes).where({ id: reviewTaskId(u.caseNo, u.stepId, u.round) }).execute('run');
}
