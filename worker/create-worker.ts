/**
 * Builds the case worker. Production (and `npm start` after `npm run build`) loads the pre-built workflow bundle;
 * without one, the workflows are bundled from source at start.
 */
import fs from 'node:fs';
import path from 'node:path';
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
import { PROJECT_ROOT } from '../infra/config';
import type { createActivities } from '../activities';
import { activityMetricsInterceptor } from './interceptors';
import { WorkerMetrics } from './metrics';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
export const WORKFLOW_BUNDLE_PATH = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
/**
 * Workflow interceptor modules: OpenTelemetry's, so a case's workflow run, its signals and the activities it schedules
 * join the case's trace. scripts/build.ts bundles the same list (a pre-built bundle ignores the worker's option).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.join(PROJECT_ROOT, 'workflows', 'otel-interceptors.ts')];

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
  /** Force bundling from source (tests of the current code); default: use dist/workflow-bundle.js when present. */
  fromSource?: boolean;
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
  const useBundle = !o.fromSource && fs.existsSync(WORKFLOW_BUNDLE_PATH);
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
    ...(useBundle ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } } : { workflowsPath: require.resolve(WORKFLOWS_PATH) }),
    ...o.tuning,
    interceptors: {
      activity: [
        activityMetricsInterceptor(o.metrics ?? new WorkerMetrics()),
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      ],
      ...(useBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: workflowTracingSinks(o.tracing),
    // Activities get this long to finish after SIGTERM before they are cancelled and handed back to the server.
    shutdownGraceTime: '20 seconds',
  });
}
