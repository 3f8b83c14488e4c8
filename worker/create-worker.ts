/**
 * Builds the case worker. It always runs a pre-built workflow bundle of the current code (worker/workflow-bundle.ts):
 * dist/'s when it matches the sources, else the cached one, else one bundled now and cached for the next worker.
 */
import { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DataConverter } from '@temporalio/common';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { WorkerTuning } from '../infra/config';
import type { createActivities } from '../activities';
import { activityHeartbeatInterceptor, activityMetricsInterceptor } from './interceptors';
import { WorkerMetrics } from './metrics';
import { currentWorkflowBundle } from './workflow-bundle';

export { WORKFLOW_BUNDLE_PATH, WORKFLOW_BUNDLE_UNTRACED_PATH, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ReturnType<typeof createActivities>;
  tuning?: Partial<WorkerTuning>;
  /**
   * Payload codec and failure converter (infra/temporal/codec.ts payloadDataConverter). Must match the clients': a
   * client without the codec cannot read what this worker writes. Unset: plain payloads (replay of old histories).
   */
  dataConverter?: DataConverter;
  /**
   * Kept for the callers that asked for the current code: every worker runs a bundle of the current sources now
   * (worker/workflow-bundle.ts checks it against them), so this changes nothing.
   */
  fromSource?: boolean;
  /** Where the worker says that it bundled the workflows (once per version of the code). */
  log?: (line: string) => void;
  /** Activity attempt counters (worker/metrics.ts); default: a registry of this worker's own, read by no endpoint. */
  metrics?: WorkerMetrics;
  /**
   * Where the workflow's spans go (infra/tracing startTracing). Unset (tracing off): the sandbox's spans are dropped
   * at the sink, activity spans are the API's no-op spans.
   */
  tracing?: { spanProcessor: SpanProcessor; resource: Resource };
}

/** Tracing off: the workflow exporter sink still exists (the bundled interceptors call it) and drops what it gets. */
const DROP_SPANS: SpanProcessor = { onStart: () => undefined, onEnd: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined };

/** The `exporter` sink the OpenTelemetry workflow interceptors call: to the tracing's processor, or dropped. Replay too. */
export function workflowTracingSinks(tracing?: CaseWorkerOptions['tracing']) {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? DROP_SPANS, tracing?.resource ?? new Resource({ 'service.name': 'onestop-worker' })) };
}

export async function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  // Tracing off (the default): the bundle without OpenTelemetry's workflow interceptors (worker/workflow-bundle.ts).
  const workflowBundle = await currentWorkflowBundle(o.log, { tracing: !!o.tracing });
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
    workflowBundle,
    ...o.tuning,
    interceptors: {
      activity: [
        activityMetricsInterceptor(o.metrics ?? new WorkerMetrics()),
        activityHeartbeatInterceptor(),
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      ],
    },
    sinks: workflowTracingSinks(o.tracing),
    // A workflow task sent to the sticky queue of a worker that died waits this long before it goes to the shared
    // queue for another worker (default 10 s): part of every case's recovery after a worker is lost (issue 13).
    stickyQueueScheduleToStartTimeout: '5 seconds',
    // Activities get this long to finish after SIGTERM before they are cancelled and handed back to the server.
    shutdownGraceTime: '20 seconds',
  });
}
