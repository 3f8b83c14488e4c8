/** Ops: per-service statistics, health and readiness. Prometheus metrics are on the internal listener (api/http/metrics.ts). */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import { countsByService, databaseReachable, recentCompletions } from '../../infra/repositories/cases';
import { completionsInWindow, dailyCaseCounts, needingAttentionByService } from '../../infra/repositories/stats';
import type { ApiDeps } from '../context';
import { ApiError } from '../http/errors';
import { json, type RouteTable } from '../http/route';
import { dailyStats, serviceStats } from '../schemas/responses';

/** `day` (YYYY-MM-DD) moved by `delta` calendar days. */
function addDays(day: string, delta: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + delta);
  return d.toISOString().slice(0, 10);
}

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
  t.add({
    method: 'get',
    path: '/stats',
    summary: 'Per service: received, completed, rejected, in progress, online share, working days to completion, on-time rate, overdue now, mean evaluation',
    tags: ['ops'],
    access: ['ops'],
    responses: { 200: json(z.object({ services: z.array(serviceStats) }).openapi('Statistics'), 'Statistics') },
    handler: async () => {
      const em = deps.orm.em.fork();
      const [counts, done] = await Promise.all([countsByService(em.fork()), recentCompletions(em.fork())]);
      // Working days to completion are counted on the official calendar (acceptance day not counted, paused days not counted).
      const days = new Map<string, number[]>();
      for (const r of done) {
        if (!r.completedAt) continue;
        const d = deps.calendar.workingDaysAfter(shanghaiDate(toEpochMs(r.acceptedAt)), shanghaiDate(toEpochMs(r.completedAt))).days - r.pausedWorkingDays;
        days.set(r.serviceCode, [...(days.get(r.serviceCode) ?? []), Math.max(0, d)]);
      }
      const services = counts.map((c) => {
        const sorted = (days.get(c.serviceCode) ?? []).sort((a, b) => a - b);
        return {
          service: c.serviceCode,
          received: c.received,
          completed: c.completed,
          rejected: c.rejected,
          withdrawn: c.withdrawn,
          inProgress: c.inProgress,
          onlineShare: c.received ? c.online / c.received : null,
          medianWorkingDaysToCompletion: quantile(sorted, 0.5),
          p90WorkingDaysToCompletion: quantile(sorted, 0.9),
          onTimeRate: c.completed ? c.onTime / c.completed : null,
          overdueNow: c.overdueNow,
          meanEvaluation: c.meanEvaluation,
        };
      });
      return { status: 200, body: { services } };
    },
  });

  t.add({
    method: 'get',
    path: '/stats/daily',
    summary: 'Per service and per day (Asia/Shanghai): received, completed, rejected, withdrawn and not accepted; working days to completion; cases needing attention',
    description:
      'The ops dashboard\'s time series. `days` (1-366, default 30) counts back from today inclusive; every day of the window is listed, zeros included, for every service of the catalogue. ' +
      'A case is received on its acceptance day and counted as completed, rejected, withdrawn or not accepted on the day it reached that status.',
    tags: ['ops'],
    access: ['ops'],
    query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
    responses: { 200: json(dailyStats, 'Daily statistics') },
    handler: async ({ query }) => {
      const to = shanghaiDate(Date.now());
      const from = addDays(to, 1 - query.days);
      const em = deps.orm.em.fork();
      const [counts, completions, attention] = await Promise.all([
        dailyCaseCounts(em.fork(), from, to),
        completionsInWindow(em.fork(), from, to),
        needingAttentionByService(em.fork()),
      ]);
      const dayList = Array.from({ length: query.days }, (_, i) => addDays(from, i));
      const codes = [...new Set([...deps.catalog.list().map((d) => d.code), ...counts.map((c) => c.serviceCode), ...attention.map((a) => a.serviceCode)])];
      const services = codes.map((service) => {
        const byDay = new Map(counts.filter((c) => c.serviceCode === service).map((c) => [c.day, c]));
        // Working days to completion on the official calendar, as GET /stats counts them.
        const buckets = new Map<number, number>();
        for (const c of completions) {
          if (c.serviceCode !== service) continue;
          const d = Math.max(0, deps.calendar.workingDaysAfter(c.acceptedDay, c.completedDay).days - c.pausedWorkingDays);
          buckets.set(d, (buckets.get(d) ?? 0) + c.count);
        }
        return {
          service,
          days: dayList.map((day) => {
            const c = byDay.get(day);
            return { day, received: c?.received ?? 0, completed: c?.completed ?? 0, rejected: c?.rejected ?? 0, withdrawn: c?.withdrawn ?? 0, notAccepted: c?.notAccepted ?? 0 };
          }),
          completionWorkingDays: [...buckets].sort((a, b) => a[0] - b[0]).map(([workingDays, cases]) => ({ workingDays, cases })),
          needingAttention: attention.find((a) => a.serviceCode === service)?.count ?? 0,
        };
      });
      return { status: 200, body: { from, to, services } };
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
    responses: { 200: json(z.object({ postgres: z.literal(true), temporal: z.literal(true) }).openapi('Readiness'), 'Ready') },
    handler: async () => {
      const [postgres, temporal] = await Promise.all([
        withTimeout(databaseReachable(deps.orm.em.fork()), 2000).then(() => true, () => false),
        withTimeout(deps.client.workflowService.getSystemInfo({}), 2000).then(() => true, () => false),
      ]);
      // Not ready: the API's one error body (as documented for 503), naming what is unreachable.
      if (!postgres || !temporal) {
        const down = [...(postgres ? [] : ['postgres']), ...(temporal ? [] : ['temporal'])];
        throw new ApiError('dependency_unavailable', `not ready: ${down.join(' and ')} unreachable`, down.map((path) => ({ path, message: 'unreachable' })));
      }
      return { status: 200, body: { postgres, temporal } };
    },
  });
  // GET /metrics is not here: it is on the internal metrics listener (METRICS_HOST:METRICS_PORT, api/http/metrics.ts).
}
