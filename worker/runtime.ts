/**
 * The Temporal SDK runtime of the worker process (one per process, installed before any connection): its logger and
 * its telemetry. Metrics: the SDK's Prometheus exporter (worker/metrics.ts lists what it serves).
 */
import { Runtime, type Logger } from '@temporalio/worker';
import { SDK_PROMETHEUS_OPTIONS } from './metrics';

export interface RuntimeOptions {
  /**
   * Where the SDK's lines go: workflow and activity `log.*` calls (with workflowId, runId, activity in their metadata),
   * the SDK's own, and the core's (forwarded at WARN and above). worker/main.ts passes the process's pino logger.
   */
  logger?: Logger;
  /** The SDK's Prometheus exporter, `host:port`; undefined = no exporter. */
  metrics?: { bindAddress: string };
  /** Production refuses to start when the exporter cannot bind (it must not run blind); development warns and goes on. */
  production?: boolean;
  warn?: (line: string) => void;
}

/** Installs the runtime; true when the SDK metrics exporter is listening. */
export function installRuntime(o: RuntimeOptions = {}): boolean {
  const base = { shutdownSignals: ['SIGINT', 'SIGTERM'] as NodeJS.Signals[], ...(o.logger ? { logger: o.logger } : {}) };
  // With a logger, the core's own lines go through it too (JSON like the rest) instead of straight to the console.
  const logging = o.logger ? { logging: { filter: { core: 'WARN', other: 'ERROR' } as const, forward: {} } } : {};
  if (o.metrics) {
    try {
      Runtime.install({ ...base, telemetryOptions: { ...logging, metrics: { prometheus: { bindAddress: o.metrics.bindAddress, ...SDK_PROMETHEUS_OPTIONS } } } });
      return true;
    } catch (err) {
      // A second worker on one machine (a test, a bench stack beside `npm start`) must not die for its metrics port.
      if (o.production) throw new Error(`WORKER_METRICS_PORT: the SDK metrics exporter cannot listen on ${o.metrics.bindAddress}: ${(err as Error).message}`);
      o.warn?.(`SDK metrics exporter not started on ${o.metrics.bindAddress}: ${(err as Error).message}`);
    }
  }
  Runtime.install({ ...base, telemetryOptions: logging });
  return false;
}
