/**
 * The worker's metrics. Two sources, two endpoints:
 * - the Temporal SDK's own metrics (workflow task latency, schedule-to-start, sticky cache, pollers, slots...) from
 *   the SDK runtime's Prometheus exporter on WORKER_METRICS_HOST:WORKER_METRICS_PORT (worker/runtime.ts);
 * - the platform's activity metrics (prom-client, counted by worker/interceptors.ts), at GET /metrics on the worker's
 *   health listener (WORKER_HEALTH_HOST:WORKER_HEALTH_PORT).
 * docs/operations.md, "Metrics", lists every name with its meaning.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Registry } from 'prom-client';

/** Every onestop_* metric family the worker registers (alert rules and the dashboard are checked against this list). */
export const METRIC_NAMES = ['onestop_activity_attempts_total', 'onestop_activity_retries_over_threshold_total'] as const;

/** How an activity attempt ended. */
export type AttemptOutcome = 'completed' | 'failed' | 'cancelled';

/**
 * The SDK's Prometheus exporter options (worker/runtime.ts): Prometheus conventions, so counters end in `_total` and
 * durations are histograms in seconds with the unit in the name.
 */
export const SDK_PROMETHEUS_OPTIONS = { countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } as const;

/**
 * The metric families the Temporal SDK (1.24, core) served on the exporter with SDK_PROMETHEUS_OPTIONS, observed on
 * GET /metrics after a case of each service ran, with a retried and a failed activity
 * (test/integration/metrics.test.ts checks every one is served). Histograms (`*_seconds`) appear as `_bucket`, `_sum`
 * and `_count`. Other families appear only once their event first happens (e.g. a failed workflow task, an empty
 * poll, a sticky cache miss); docs/operations.md, "Metrics", lists these too.
 */
export const SDK_METRIC_NAMES: readonly string[] = [
  'temporal_activity_execution_failed_total',
  'temporal_activity_execution_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
  'temporal_activity_succeed_endtoend_latency_seconds',
  'temporal_activity_task_received_total',
  'temporal_long_request_latency_seconds',
  'temporal_local_activity_execution_latency_seconds',
  'temporal_long_request_total',
  'temporal_num_pollers',
  'temporal_request_latency_seconds',
  'temporal_request_total',
  'temporal_sticky_cache_hit_total',
  'temporal_sticky_cache_size',
  'temporal_worker_start_total',
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_workflow_completed_total',
  'temporal_workflow_endtoend_latency_seconds',
  'temporal_workflow_task_execution_latency_seconds',
  'temporal_workflow_task_queue_poll_succeed_total',
  'temporal_workflow_task_replay_latency_seconds',
  'temporal_workflow_task_schedule_to_start_latency_seconds',
];

export class WorkerMetrics {
  /** A registry of this instance's own: several workers in one process (tests) never collide. */
  readonly registry = new Registry();
  private readonly attempts: Counter<'activity' | 'outcome'>;
  private readonly overThreshold: Counter<'activity'>;

  /** @param retryAlertAttempts attempts above this number count as retries over the threshold (ACTIVITY_RETRY_ALERT_ATTEMPTS). */
  constructor(readonly retryAlertAttempts = 5) {
    const registers = [this.registry];
    this.attempts = new Counter({
      name: 'onestop_activity_attempts_total',
      help: 'Activity attempts executed by this worker, by activity type and outcome (completed, failed, cancelled)',
      labelNames: ['activity', 'outcome'],
      registers,
    });
    this.overThreshold = new Counter({
      name: 'onestop_activity_retries_over_threshold_total',
      help: `Activity attempts whose attempt number exceeded ACTIVITY_RETRY_ALERT_ATTEMPTS (${retryAlertAttempts}), by activity type`,
      labelNames: ['activity'],
      registers,
    });
  }

  attemptStarted(activity: string, attempt: number): void {
    if (attempt > this.retryAlertAttempts) this.overThreshold.inc({ activity });
  }

  attemptEnded(activity: string, outcome: AttemptOutcome): void {
    this.attempts.inc({ activity, outcome });
  }

  /** Answers GET /metrics on the health listener; returns false for any other request (the caller answers health). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return false;
    this.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': this.registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable\n');
      },
    );
    return true;
  }
}

/** The SDK exporter's bind address, `host:port` (`[host]:port` for IPv6), or undefined when the exporter is off. */
export function sdkMetricsBindAddress(m: { host: string; port: number | null }): string | undefined {
  if (m.port === null) return undefined;
  return m.host.includes(':') ? `[${m.host}]:${m.port}` : `${m.host}:${m.port}`;
}
