/** The departments' review queues: each reviewer sees only their own department's tasks, by deadline. */
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import { claimTask, departmentQueue, findTaskForReviewer, releaseTask, type ReviewTask } from '../../infra/repositories/review-tasks';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { json, type RouteTable } from '../http/route';

const toTask = (r: ReviewTask) => ({
  taskId: r.id,
  caseNo: r.caseNo,
  service: r.serviceCode,
  stepId: r.stepId,
  round: r.round,
  department: r.department,
  status: r.status,
  deadline: r.deadline ? formatShanghai(toEpochMs(r.deadline)) : null,
  reminder: r.reminded,
  overdue: r.overdue || (!!r.deadline && toEpochMs(r.deadline) < Date.now() && r.status === 'open'),
  claimedBy: r.claimedBy ?? null,
  hasAutomaticReport: r.automaticReport != null,
  openedAt: formatShanghai(toEpochMs(r.createdAt)),
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
    responses: { 200: json(z.object({ tasks: z.array(z.object({}).loose()) }), 'Tasks') },
    handler: async ({ query, principal }) => {
      const rows = await departmentQueue(deps.orm.em.fork(), principal!.department!, query.status, query.limit);
      return { status: 200, body: { department: principal!.department, tasks: rows.map(toTask) } };
    },
  });

  t.add({
    method: 'get',
    path: '/reviews/:taskId',
    summary: 'One task of the caller\'s department, with the automatic check report the reviewer decides with',
    tags: ['reviewers'],
    access: ['reviewer'],
    params: taskIdParam,
    responses: { 200: json(z.object({}).loose(), 'The task'), 404: json(z.object({}), 'Unknown task, or another department\'s') },
    handler: async ({ params, principal }) => {
      const task = await findTaskForReviewer(deps.orm.em.fork(), params.taskId, principal!);
      if (!task) throw notFound(`task ${params.taskId}`);
      return { status: 200, body: { ...toTask(task), automaticReport: task.automaticReport ?? null } };
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
        200: json(z.object({ taskId: z.string(), claimedBy: z.string().nullable() }), 'Done'),
        404: json(z.object({}), 'Unknown task, or another department\'s'),
        409: json(z.object({}), 'Claimed by someone else, or not open'),
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
