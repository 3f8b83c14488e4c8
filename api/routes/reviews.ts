/** The departments' review queues: each reviewer sees only their own department's open tasks, by deadline. */
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { json, type RouteTable } from '../http/route';

interface TaskRow {
  id: string;
  case_no: string;
  service_code: string;
  step_id: string;
  round: number;
  department: string;
  status: string;
  deadline: Date | null;
  reminded: boolean;
  overdue: boolean;
  claimed_by: string | null;
  claimed_at: Date | null;
  automatic_report: Record<string, unknown> | null;
  created_at: Date;
}

const toTask = (r: TaskRow) => ({
  taskId: r.id,
  caseNo: r.case_no,
  service: r.service_code,
  stepId: r.step_id,
  round: r.round,
  department: r.department,
  status: r.status,
  deadline: r.deadline ? formatShanghai(toEpochMs(r.deadline)) : null,
  reminder: r.reminded,
  overdue: r.overdue || (r.deadline !== null && toEpochMs(r.deadline) < Date.now() && r.status === 'open'),
  claimedBy: r.claimed_by,
  hasAutomaticReport: r.automatic_report !== null,
  openedAt: formatShanghai(toEpochMs(r.created_at)),
});

const taskIdParam = z.object({ taskId: z.string().min(1).max(96) });

export function reviewRoutes(t: RouteTable, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  t.add({
    method: 'get',
    path: '/reviews',
    summary: "The caller's department queue, ordered by deadline, with overdue and reminder flags",
    tags: ['reviewers'],
    access: ['reviewer'],
    query: z.object({ status: z.enum(['open', 'closed', 'cancelled']).default('open'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
    responses: { 200: json(z.object({ tasks: z.array(z.object({}).loose()) }), 'Tasks') },
    handler: async ({ query, principal }) => {
      const rows = await conn().execute<TaskRow[]>(
        'select * from review_task where department = ? and status = ? order by deadline asc nulls last, created_at asc limit ?',
        [principal!.department, query.status, query.limit],
      );
      return { status: 200, body: { department: principal!.department, tasks: rows.map(toTask) } };
    },
  });

  t.add({
    method: 'get',
    path: '/reviews/:taskId',
    summary: 'One task, with the automatic check report the reviewer decides with',
    tags: ['reviewers'],
    access: ['reviewer'],
    params: taskIdParam,
    responses: { 200: json(z.object({}).loose(), 'The task') },
    handler: async ({ params, principal }) => {
      const rows = await conn().execute<TaskRow[]>('select * from review_task where id = ?', [params.taskId]);
      const task = rows[0];
      if (!task) throw notFound(`task ${params.taskId}`);
      if (task.department !== principal!.department) throw new ApiError('forbidden', `task ${params.taskId} belongs to ${task.department}`);
      return { status: 200, body: { ...toTask(task), automaticReport: task.automatic_report } };
    },
  });

  for (const action of ['claim', 'release'] as const) {
    t.add({
      method: 'post',
      path: `/reviews/:taskId/${action}`,
      summary: action === 'claim' ? 'Claim an open task: one reviewer works a task at a time' : 'Release a task you claimed',
      tags: ['reviewers'],
      access: ['reviewer'],
      params: taskIdParam,
      responses: { 200: json(z.object({ taskId: z.string(), claimedBy: z.string().nullable() }), 'Done'), 409: json(z.object({}), 'Claimed by someone else, or not open') },
      handler: async ({ params, principal }) => {
        const rows = await conn().execute<TaskRow[]>('select * from review_task where id = ?', [params.taskId]);
        const task = rows[0];
        if (!task) throw notFound(`task ${params.taskId}`);
        if (task.department !== principal!.department) throw new ApiError('forbidden', `task ${params.taskId} belongs to ${task.department}`);
        const me = principal!.sub;
        // One conditional UPDATE: two reviewers claiming at once cannot both win.
        const updated =
          action === 'claim'
            ? await conn().execute<TaskRow[]>(
                `update review_task set claimed_by = ?, claimed_at = now() where id = ? and status = 'open' and (claimed_by is null or claimed_by = ?) returning *`,
                [me, params.taskId, me],
              )
            : await conn().execute<TaskRow[]>(`update review_task set claimed_by = null, claimed_at = null where id = ? and claimed_by = ? returning *`, [params.taskId, me]);
        if (updated.length === 0) {
          throw new ApiError('conflict', task.status !== 'open' ? `task is ${task.status}` : action === 'claim' ? `claimed by ${task.claimed_by}` : 'you have not claimed this task');
        }
        return { status: 200, body: { taskId: params.taskId, claimedBy: updated[0]!.claimed_by } };
      },
    });
  }
}
