/**
 * The Temporal SDK runtime of the worker process (one per process, installed before any connection): its logger and
 * its telemetry. Metrics: the SDK's Prometheus exporter (worker/metrics.ts lists what it serves).
 */
import { Runtime, type Logger } from '@temporalio/worker';
import { SDK_PROMETHEUS_OPTIONS } from './metrics';

export interface RuntimeOptions {
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
  if (o.metrics) {
    try {
      Runtime.install({ ...base, telemetryOptions: { metrics: { prometheus: { bindAddress: o.metrics.bindAddress, ...SDK_PROMETHEUS_OPTIONS } } } });
      return true;
    } catch (err) {
      // A second worker on one machine (a test, a bench stack beside `npm start`) must not die for its metrics port.
      if (o.production) throw new Error(`WORKER_METRICS_PORT: the SDK metrics exporter cannot listen on ${o.metrics.bindAddress}: ${(err as Error).message}`);
      o.warn?.(`SDK metrics exporter not started on ${o.metrics.bindAddress}: ${(err as Error).message}`);
    }
  }
  Runtime.install(base);
  return false;
}
