/** Ops: per-service statistics, health and readiness. Prometheus metrics are on the internal listener (api/http/metrics.ts). */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import { countsByService, databaseReachable, recentCompletions } from '../../infra/repositories/cases';
import type { ApiDeps } from '../context';
import { ApiError } from '../http/errors';
import { json, type RouteTable } from '../http/route';
import { serviceStats } from '../schemas/responses';

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
