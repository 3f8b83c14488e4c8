/**
 * The API's metrics registry (api/http/metrics.ts) without a database: the case metrics from a snapshot, working days
 * counted on the official calendar, a failed read that leaves no stale case series, and METRIC_NAMES matching what the
 * registry really serves.
 */
import { HttpMetrics, METRIC_NAMES } from '../../api/http/metrics';
import type { CaseMetricsSnapshot } from '../../infra/repositories/case-metrics';
import { loadWorkingDayCalendar } from '../../infra/calendar-store';
import { loadConfig } from '../../infra/config';

const calendar = loadWorkingDayCalendar(loadConfig().calendarDir);

const snapshot = (): CaseMetricsSnapshot => ({
  byStatus: [
    { serviceCode: 'SCHOOLBUS', status: 'completed', count: 4, overdue: 0, needingAttention: 0 },
    { serviceCode: 'SCHOOLBUS', status: 'in_review', count: 2, overdue: 1, needingAttention: 1 },
    { serviceCode: 'FREIGHTCO', status: 'rejected', count: 1, overdue: 0, needingAttention: 0 },
  ],
  completions: [
    // Across the National Day holiday: 2 working days on the official calendar (a weekday count would say 7).
    { serviceCode: 'SCHOOLBUS', acceptedDay: '2026-09-30', completedDay: '2026-10-09', pausedWorkingDays: 0, count: 2 },
    // Monday to Monday: 5 working days, 2 of them paused for a supplement: 3.
    { serviceCode: 'SCHOOLBUS', acceptedDay: '2026-11-02', completedDay: '2026-11-09', pausedWorkingDays: 2, count: 1 },
    // Same day: 0 working days.
    { serviceCode: 'SCHOOLBUS', acceptedDay: '2026-11-26', completedDay: '2026-11-26', pausedWorkingDays: 0, count: 1 },
  ],
  webhooks: { delivered: 7, failed: 2 },
});

const line = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`${name} `));

describe('HttpMetrics', () => {
  it('serves the snapshot: counts per service, zero series for catalog services, working days on the calendar', async () => {
    const m = new HttpMetrics({ defaultMetrics: false });
    const text = await m.render({ snapshot: async () => snapshot(), calendar, services: ['SCHOOLBUS', 'FREIGHTCO', 'OVERSIZE'] });
    expect(text).toContain('onestop_cases{service="SCHOOLBUS",status="in_review"} 2');
    expect(text).toContain('onestop_cases_received_total{service="SCHOOLBUS"} 6');
    expect(text).toContain('onestop_cases_completed_total{service="SCHOOLBUS"} 4');
    expect(text).toContain('onestop_cases_rejected_total{service="FREIGHTCO"} 1');
    expect(text).toContain('onestop_cases_received_total{service="OVERSIZE"} 0');
    expect(text).toContain('onestop_cases_not_accepted_total{service="SCHOOLBUS"} 0');
    expect(text).toContain('onestop_cases_overdue{service="SCHOOLBUS"} 1');
    expect(text).toContain('onestop_cases_needing_attention{service="SCHOOLBUS"} 1');
    expect(text).toContain('onestop_case_working_days_to_completion_bucket{le="1",service="SCHOOLBUS"} 1');
    expect(text).toContain('onestop_case_working_days_to_completion_bucket{le="2",service="SCHOOLBUS"} 3');
    expect(text).toContain('onestop_case_working_days_to_completion_bucket{le="3",service="SCHOOLBUS"} 4');
    expect(text).toContain('onestop_case_working_days_to_completion_sum{service="SCHOOLBUS"} 7');
    expect(text).toContain('onestop_case_working_days_to_completion_count{service="OVERSIZE"} 0');
    expect(text).toContain('onestop_webhook_delivery_failures_total 2');
    expect(text).toContain('onestop_webhook_deliveries_total{outcome="delivered"} 7');
    // A second scrape replaces the numbers instead of adding to them.
    const again = await m.render({ snapshot: async () => snapshot(), calendar });
    expect(again).toContain('onestop_cases_received_total{service="SCHOOLBUS"} 6');
    expect(again).toContain('onestop_case_working_days_to_completion_count{service="SCHOOLBUS"} 4');
    expect(line(again, 'onestop_webhook_delivery_failures_total')).toBe('onestop_webhook_delivery_failures_total 2');
  });

  it('when PostgreSQL cannot be read the case series are absent, the request series still served', async () => {
    const m = new HttpMetrics({ defaultMetrics: false });
    await m.render({ snapshot: async () => snapshot(), calendar });
    const errors: unknown[] = [];
    const text = await m.render({ snapshot: async () => Promise.reject(new Error('connection refused')), calendar, onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(text).not.toMatch(/^onestop_cases/m);
    expect(text).toContain('# TYPE onestop_http_requests_total counter');
  });

  it('METRIC_NAMES is exactly the onestop_* families the registry serves, default process metrics included', async () => {
    const m = new HttpMetrics();
    const text = await m.render({ snapshot: async () => snapshot(), calendar });
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((x) => x[1]!);
    expect(families.every((f) => f.startsWith('onestop_'))).toBe(true);
    expect([...families].sort()).toEqual([...METRIC_NAMES].sort());
  });
});
