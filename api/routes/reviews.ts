/** The departments' review queues: each reviewer sees only their own department's tasks, by deadline. */
import { loadCheckReports, refersToStoredReport, resolveReport } from '../../infra/repositories/check-reports';
import { z } from '../schemas/zod';
import { formatShanghai, shanghaiDate, type WorkingDayCalendar } from '../../domain/calendar';
import type { DecisionKind, ServiceDefinition } from '../../domain/types';
import { toEpochMs } from '../../infra/db/timestamps';
import { claimTask, departmentQueue, findTaskForReviewer, releaseTask, type QueuedTask, type ReviewTask } from '../../infra/repositories/review-tasks';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { DECISION_KINDS, reviewTask, reviewTaskDetail } from '../schemas/responses';

/**
 * What a reviewer may decide on the task now: nothing once it is closed or cancelled; otherwise what its step accepts.
 * No step definition restricts the three decisions today (domain/types.ts ReviewStepDefinition has no such field), so
 * an open task of a known step allows all three; a step the definition no longer has allows none.
 */
export function allowedDecisions(def: ServiceDefinition | undefined, task: Pick<ReviewTask, 'stepId' | 'status'>): DecisionKind[] {
  if (task.status !== 'open') return [];
  return def?.review.steps.some((s) => s.id === task.stepId && s.kind !== 'automatic') ? [...DECISION_KINDS] : [];
}

/** Working days from today to the deadline's day (negative once past it); null when unknown. */
function workingDaysLeft(calendar: WorkingDayCalendar, deadline: Date | string | null | undefined, nowMs: number): number | null {
  if (!deadline) return null;
  const today = shanghaiDate(nowMs);
  const due = shanghaiDate(toEpochMs(deadline));
  try {
    return due >= today ? calendar.workingDaysAfter(today, due).days : -calendar.workingDaysAfter(due, today).days;
  } catch {
    return null; // a range the calendar refuses to scan: say nothing rather than something wrong
  }
}

const BASE = '/api/v1';

/** A task row: the queue's (with `hasAutomaticReport`) or the whole task (with its `automaticReport`). */
type TaskRow = QueuedTask | ReviewTask;

const toTask = (r: TaskRow, deps: Pick<ApiDeps, 'catalog' | 'calendar'>, nowMs = Date.now()) => ({
  taskId: r.id,
  caseNo: r.caseNo,
  service: r.serviceCode,
  stepId: r.stepId,
  round: r.round,
  department: r.department,
  status: r.status,
  deadline: r.deadline ? formatShanghai(toEpochMs(r.deadline)) : null,
  reminder: r.reminded,
  workingDaysLeft: workingDaysLeft(deps.calendar, r.deadline, nowMs),
  overdue: r.overdue || (!!r.deadline && toEpochMs(r.deadline) < nowMs && r.status === 'open'),
  claimedBy: r.claimedBy ?? null,
  hasAutomaticReport: 'hasAutomaticReport' in r ? r.hasAutomaticReport : r.automaticReport != null,
  openedAt: formatShanghai(toEpochMs(r.createdAt)),
  allowedDecisions: allowedDecisions(deps.catalog.get(r.serviceCode), r),
  decisionPath: `${BASE}/cases/${r.caseNo}/steps/${r.stepId}/decision`,
  claimPath: `${BASE}/reviews/${encodeURIComponent(r.id)}/claim`,
  releasePath: `${BASE}/reviews/${encodeURIComponent(r.id)}/release`,
});

const taskIdParam = z.object({ taskId: z.string().min(1).max(96) });

export function reviewRoutes(t: RouteTable, deps: ApiDeps): void {
  t.add({
    method: 'get',
    path: '/reviews',
    summary: "The caller's department queue, ordered by deadline, with overdue and reminder flags",
    tags: ['reviewers'],
    access: ['reviewer'],
    query: z.object({ status: z.enum(['open', 'closed', 'cancelled']).default('open'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
    responses: { 200: json(z.object({ department: reviewTask.shape.department, tasks: z.array(reviewTask) }).openapi('ReviewQueue'), 'Tasks') },
    handler: async ({ query, principal }) => {
      const rows = await departmentQueue(deps.orm.em.fork(), principal!.department!, query.status, query.limit);
      return { status: 200, body: { department: principal!.department, tasks: rows.map((r) => toTask(r, deps)) } };
    },
  });

  t.add({
    method: 'get',
    path: '/reviews/:taskId',
    summary: 'One task of the caller\'s department, with the automatic check report the reviewer decides with',
    tags: ['reviewers'],
    access: ['reviewer'],
    params: taskIdParam,
    responses: { 200: json(reviewTaskDetail, 'The task'), 404: json(errorBody, 'Unknown task, or another department\'s') },
    handler: async ({ params, principal }) => {
      const task = await findTaskForReviewer(deps.orm.em.fork(), params.taskId, principal!);
      if (!task) throw notFound(`task ${params.taskId}`);
      // The task keeps the check's verdict and reasons; its full report lives in PostgreSQL, not in the workflow history.
      const check = task.automaticReport as (Record<string, unknown> & { report?: unknown }) | null;
      const automaticReport =
        check && refersToStoredReport(check.report) ? { ...check, report: resolveReport(check.report, await loadCheckReports(deps.orm.em.fork(), task.caseNo)) } : (check ?? null);
      return { status: 200, body: { ...toTask(task, deps), automaticReport } };
    },
  });

  for (const action of ['claim', 'release'] as const) {
    t.add({
      method: 'post',
      path: `/reviews/:taskId/${action}`,
      summary:
        action === 'claim'
          ? 'Claim an open task: one reviewer works a task at a time, and only the holder of the claim can decide its step'
          : 'Release a task you claimed',
      tags: ['reviewers'],
      access: ['reviewer'],
      params: taskIdParam,
      responses: {
        200: json(z.object({ taskId: z.string(), claimedBy: z.string().nullable() }).openapi('TaskClaim'), 'Done'),
        404: json(errorBody, 'Unknown task, or another department\'s'),
        409: json(errorBody, 'Claimed by someone else, or not open'),
      },
      handler: async ({ params, principal }) => {
        const em = deps.orm.em.fork();
        const task = await findTaskForReviewer(em, params.taskId, principal!);
        if (!task) throw notFound(`task ${params.taskId}`);
        const me = principal!.sub;
        const updated = action === 'claim' ? await claimTask(em.fork(), params.taskId, me) : await releaseTask(em.fork(), params.taskId, me);
        if (!updated) {
          throw new ApiError('conflict', task.status !== 'open' ? `task is ${task.status}` : action === 'claim' ? `claimed by ${task.claimedBy}` : 'you have not claimed this task');
        }
        return { status: 200, body: { taskId: params.taskId, claimedBy: updated.claimedBy ?? null } };
      },
    });
  }
}
