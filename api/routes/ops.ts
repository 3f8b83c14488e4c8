/** Ops: per-service statistics, health, readiness and Prometheus metrics. */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import type { ApiDeps } from '../context';
import { json, type RouteTable } from '../http/route';

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(t: RouteTable, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  t.add({
    method: 'get',
    path: '/stats',
    summary: 'Per service: received, completed, rejected, in progress, online share, working days to completion, on-time rate, overdue now, mean evaluation',
    tags: ['ops'],
    access: ['ops'],
    responses: { 200: json(z.object({ services: z.array(z.object({}).loose()) }), 'Statistics') },
    handler: async () => {
      const counts = await conn().execute<Record<string, string | number | null>[]>(
        `select service_code,
           count(*) as received,
           count(*) filter (where status = 'completed') as completed,
           count(*) filter (where status = 'rejected') as rejected,
           count(*) filter (where status = 'withdrawn') as withdrawn,
           count(*) filter (where status not in ('completed', 'rejected', 'withdrawn')) as in_progress,
           count(*) filter (where channel = 'online') as online,
           count(*) filter (where overdue and status not in ('completed', 'rejected', 'withdrawn')) as overdue_now,
           count(*) filter (where status = 'completed' and completed_at <= deadline) as on_time,
           avg(evaluation_stars) as mean_evaluation
         from one_stop_case group by service_code order by service_code`,
      );
      // Working days to completion are counted on the official calendar (acceptance day not counted, paused days not counted).
      const done = await conn().execute<{ service_code: string; accepted_at: Date; completed_at: Date; paused_working_days: number }[]>(
        `select service_code, accepted_at, completed_at, paused_working_days from one_stop_case where status = 'completed' order by completed_at desc limit 20000`,
      );
      const days = new Map<string, number[]>();
      for (const r of done) {
        const d = deps.calendar.workingDaysAfter(shanghaiDate(toEpochMs(r.accepted_at)), shanghaiDate(toEpochMs(r.completed_at))).days - r.paused_working_days;
        days.set(r.service_code, [...(days.get(r.service_code) ?? []), Math.max(0, d)]);
      }
      const services = counts.map((c) => {
        const n = Number(c.received);
        const completed = Number(c.completed);
        const sorted = (days.get(String(c.service_code)) ?? []).sort((a, b) => a - b);
        return {
          service: c.service_code,
          received: n,
          completed,
          rejected: Number(c.rejected),
          withdrawn: Number(c.withdrawn),
          inProgress: Number(c.in_progress),
          onlineShare: n ? Number(c.online) / n : null,
          medianWorkingDaysToCompletion: quantile(sorted, 0.5),
          p90WorkingDaysToCompletion: quantile(sorted, 0.9),
          onTimeRate: completed ? Number(c.on_time) / completed : null,
          overdueNow: Number(c.overdue_now),
          meanEvaluation: c.mean_evaluation === null ? null : Number(c.mean_evaluation),
        };
      });
      return { status: 200, body: { services } };
    },
  });

  t.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tags: ['public'],
    access: 'public',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
    handler: async () => ({ status: 200, body: { status: 'ok' } }),
  });

  t.add({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL and Temporal reachable (503 otherwise)',
    tags: ['public'],
    access: 'public',
    responses: { 200: json(z.object({ postgres: z.boolean(), temporal: z.boolean() }), 'Ready') },
    handler: async () => {
      const [postgres, temporal] = await Promise.all([
        withTimeout(conn().execute('select 1'), 2000).then(() => true, () => false),
        withTimeout(deps.client.workflowService.getSystemInfo({}), 2000).then(() => true, () => false),
      ]);
      return { status: postgres && temporal ? 200 : 503, body: { postgres, temporal } };
    },
  });

  t.add({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: request counts and latencies, cases by status',
    tags: ['ops'],
    access: 'public',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
    handler: async () => {
      const rows = await conn()
        .execute<{ service_code: string; status: string; n: string }[]>('select service_code, status, count(*) as n from one_stop_case group by 1, 2')
        .catch(() => []);
      const text = deps.metrics.render(rows.map((r) => ({ service: r.service_code, status: r.status, count: Number(r.n) })));
      return { status: 200, text: { contentType: 'text/plain; version=0.0.4', content: text } };
    },
  });
}
