/**
 * The API's Prometheus metrics (prom-client), served on a listener of their own (METRICS_HOST:METRICS_PORT, loopback
 * by default), never on the public API port: route names, volumes and case counts are operational detail an outsider
 * has no use for. Names and labels follow the issue-14 contract (docs/operations.md, "Metrics"); every label value is
 * bounded (method, matched route pattern, status code, service code, case status, outcome) and none carries a case
 * number or personal data.
 *
 * Request metrics are counted in memory by the middleware. Case metrics are read from PostgreSQL at scrape time
 * (infra/repositories/case-metrics.ts), so every replica reports the same numbers and a restart loses nothing; the
 * `_total` ones are counters because the underlying counts only grow (a count that drops, e.g. after a retention
 * purge, reads as a counter reset).
 */
import express, { type Express, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkingDayCalendar } from '../../domain/calendar';
import type { CaseMetricsSnapshot } from '../../infra/repositories/case-metrics';

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];
/** Working days to completion: the promise is 5, the statutory limits of the three services reach 20. */
export const WORKING_DAY_BUCKETS = [1, 2, 3, 4, 5, 7, 10, 15, 20];
/** Node process metrics (CPU, memory, event loop, GC) from prom-client's collectDefaultMetrics, under this prefix. */
export const DEFAULT_METRICS_PREFIX = 'onestop_api_';

/** The metrics this module defines itself. */
export const API_METRIC_NAMES = [
  'onestop_http_requests_total',
  'onestop_http_request_duration_seconds',
  'onestop_cases',
  'onestop_cases_received_total',
  'onestop_cases_completed_total',
  'onestop_cases_rejected_total',
  'onestop_cases_withdrawn_total',
  'onestop_cases_not_accepted_total',
  'onestop_cases_overdue',
  'onestop_cases_needing_attention',
  'onestop_case_working_days_to_completion',
  'onestop_webhook_delivery_failures_total',
  'onestop_webhook_deliveries_total',
] as const;

/** prom-client 15's default metrics on Linux (the deployment platform), without the prefix. */
const DEFAULT_METRIC_SUFFIXES = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds',
] as const;

/** Every onestop_* metric family the API registers (alert rules and the dashboard are checked against this list). */
export const METRIC_NAMES: readonly string[] = [...API_METRIC_NAMES, ...DEFAULT_METRIC_SUFFIXES.map((s) => DEFAULT_METRICS_PREFIX + s)];

/** Terminal statuses with a counter of their own (not_accepted: 0 until the status exists). */
const OUTCOME_COUNTERS = ['completed', 'rejected', 'withdrawn', 'not_accepted'] as const;

export interface CaseMetricsSource {
  /** Reads the snapshot (infra/repositories/case-metrics.ts caseMetricsSnapshot on a fresh EntityManager). */
  snapshot: () => Promise<CaseMetricsSnapshot>;
  /** The official working-day calendar: working days to completion are counted on it, as GET /stats does. */
  calendar: WorkingDayCalendar;
  /** Service codes of the catalog: each gets its series at 0 before its first case. */
  services?: string[];
  /** Called when PostgreSQL cannot be read; the request metrics are still served. */
  onError?: (err: unknown) => void;
}

export class HttpMetrics {
  /** A registry of this instance's own: several APIs in one process (tests) never share or collide. */
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly cases: Gauge<'service' | 'status'>;
  private readonly received: Counter<'service'>;
  private readonly outcomes: Record<(typeof OUTCOME_COUNTERS)[number], Counter<'service'>>;
  private readonly overdue: Gauge<'service'>;
  private readonly attention: Gauge<'service'>;
  private readonly workingDays: Histogram<'service'>;
  private readonly webhookFailures: Counter<never>;
  private readonly webhookDeliveries: Counter<'outcome'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_METRICS_PREFIX });
    this.requests = new Counter({ name: 'onestop_http_requests_total', help: 'HTTP requests by method, matched route pattern and status code', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'onestop_http_request_duration_seconds',
      help: 'HTTP request latency in seconds by method and matched route pattern',
      labelNames: ['method', 'route'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.cases = new Gauge({ name: 'onestop_cases', help: 'Cases by service and status now', labelNames: ['service', 'status'], registers });
    this.received = new Counter({ name: 'onestop_cases_received_total', help: 'Cases received (accepted applications) by service', labelNames: ['service'], registers });
    const outcome = (status: string, help: string) => new Counter({ name: `onestop_cases_${status}_total`, help, labelNames: ['service'] as const, registers });
    this.outcomes = {
      completed: outcome('completed', 'Cases completed (approved, certificates issued) by service'),
      rejected: outcome('rejected', 'Cases rejected by a department by service'),
      withdrawn: outcome('withdrawn', 'Cases withdrawn by the applicant by service'),
      not_accepted: outcome('not_accepted', 'Applications not accepted (不予受理) by service; 0 until the status exists'),
    };
    this.overdue = new Gauge({ name: 'onestop_cases_overdue', help: 'Open cases past their deadline now, by service', labelNames: ['service'], registers });
    this.attention = new Gauge({ name: 'onestop_cases_needing_attention', help: 'Cases flagged for ops (attention_reason set) by service', labelNames: ['service'], registers });
    this.workingDays = new Histogram({
      name: 'onestop_case_working_days_to_completion',
      help: 'Working days from acceptance to completion on the official calendar (acceptance day and paused days not counted), by service',
      labelNames: ['service'],
      buckets: WORKING_DAY_BUCKETS,
      registers,
    });
    this.webhookFailures = new Counter({ name: 'onestop_webhook_delivery_failures_total', help: 'Failed or refused webhook delivery attempts', registers });
    this.webhookDeliveries = new Counter({ name: 'onestop_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, failed)', labelNames: ['outcome'], registers });
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.duration.startTimer();
      res.on('finish', () => {
        // The matched route pattern, not the raw URL: bounded label values, no case number in a label.
        const route = req.route?.path === undefined ? 'unmatched' : String(req.route.path);
        end({ method: req.method, route });
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Replaces the case metrics with a snapshot read from PostgreSQL. */
  setCaseMetrics(s: CaseMetricsSnapshot, calendar: WorkingDayCalendar, services: string[] = []): void {
    this.clearCaseMetrics();
    const all = new Set([...services, ...s.byStatus.map((r) => r.serviceCode)]);
    for (const service of all) {
      this.received.inc({ service }, 0);
      for (const c of Object.values(this.outcomes)) c.inc({ service }, 0);
      this.overdue.set({ service }, 0);
      this.attention.set({ service }, 0);
      this.workingDays.zero({ service });
    }
    for (const r of s.byStatus) {
      const service = r.serviceCode;
      this.cases.set({ service, status: r.status }, r.count);
      this.received.inc({ service }, r.count);
      if ((OUTCOME_COUNTERS as readonly string[]).includes(r.status)) this.outcomes[r.status as (typeof OUTCOME_COUNTERS)[number]].inc({ service }, r.count);
      this.overdue.inc({ service }, r.overdue);
      this.attention.inc({ service }, r.needingAttention);
    }
    for (const g of s.completions) {
      let days: number;
      try {
        days = Math.max(0, calendar.workingDaysAfter(g.acceptedDay, g.completedDay).days - g.pausedWorkingDays);
      } catch {
        continue; // a range the calendar cannot count (longer than it scans): left out rather than guessed
      }
      for (let i = 0; i < g.count; i++) this.workingDays.observe({ service: g.serviceCode }, days);
    }
    this.webhookFailures.inc(s.webhooks.failed);
    this.webhookDeliveries.inc({ outcome: 'delivered' }, s.webhooks.delivered);
    this.webhookDeliveries.inc({ outcome: 'failed' }, s.webhooks.failed);
  }

  /** No case series at all: absent (unknown) rather than a misleading 0 while PostgreSQL cannot be read. */
  clearCaseMetrics(): void {
    for (const m of [this.cases, this.received, ...Object.values(this.outcomes), this.overdue, this.attention, this.workingDays, this.webhookFailures, this.webhookDeliveries]) m.reset();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; with `cases`, the case metrics are refreshed from PostgreSQL first. */
  async render(cases?: CaseMetricsSource): Promise<string> {
    if (cases) {
      try {
        this.setCaseMetrics(await cases.snapshot(), cases.calendar, cases.services);
      } catch (err) {
        // Metrics still answer while PostgreSQL is down: the request series are what ops need then.
        this.clearCaseMetrics();
        cases.onError?.(err);
      }
    }
    return this.registry.metrics();
  }
}

/** The internal metrics listener's app: GET /metrics only. */
export function createMetricsApp(render: () => Promise<string>, contentType: string = Registry.PROMETHEUS_CONTENT_TYPE): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(contentType).send(await render());
  });
  app.use((_req, res) => void res.status(404).type('text/plain').send('not found: the metrics listener serves GET /metrics only\n'));
  return app;
}
